package dev.lanes.cache.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One {@code redis-server} process on a free loopback port, in its own directory, stopped by its
 * PID: a plain Redis, a cluster node or (with a config file) a Sentinel.
 */
public final class RedisProcess implements AutoCloseable {
    private final int port;
    private final Path directory;
    private final List<String> command;
    private final boolean tls;
    private Process process;

    private RedisProcess(Path directory, int port, List<String> command, boolean tls) {
        this.port = port;
        this.directory = directory;
        this.command = List.copyOf(command);
        this.tls = tls;
        start();
    }

    /** A Redis server (a cluster node with the cluster options), {@code options} after port, bind and persistence. */
    public static RedisProcess server(Path directory, List<String> options) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", directory.toString()));
        command.addAll(options);
        return new RedisProcess(directory, port, command, false);
    }

    /** A Redis server that speaks only TLS, with {@code certificates}' server certificate, not asking for client ones. */
    public static RedisProcess tlsServer(Path directory, TestCertificates certificates, List<String> options) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", "0", "--tls-port", Integer.toString(port),
                "--tls-cert-file", certificates.serverCertificate().toString(),
                "--tls-key-file", certificates.serverKey().toString(),
                "--tls-ca-cert-file", certificates.caCertificate().toString(), "--tls-auth-clients", "no",
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", directory.toString()));
        command.addAll(options);
        return new RedisProcess(directory, port, command, true);
    }

    /** A Sentinel: {@code config} is written to a file Sentinel may rewrite, as it must. */
    public static RedisProcess sentinel(Path directory, String config) {
        return sentinel(directory, config, null);
    }

    /** A Sentinel that speaks TLS only (and to the master over TLS) when {@code access} is not null. */
    static RedisProcess sentinel(Path directory, String config, RedisAccess access) {
        int port = freePort();
        Path file = directory.resolve("sentinel-" + port + ".conf");
        String listen = access == null ? "port " + port + "\n" : access.sentinelTls(port);
        try {
            Files.createDirectories(directory);
            Files.writeString(file, listen + "bind 127.0.0.1\n" + config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new RedisProcess(directory, port, List.of("redis-server", file.toString(), "--sentinel"), access != null);
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Starts it again on the same port, after {@link #kill()}. */
    public void start() {
        try {
            Files.createDirectories(directory);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis-" + port + ".log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("no Redis for the tests: set REDIS_URL, run a Docker engine, or install"
                    + " redis-server (apt-get install -y redis-server; .ci/run does)", e);
        }
        try {
            if (tls) {
                awaitListening(Duration.ofSeconds(20));
            } else {
                RedisFixture.awaitPong("127.0.0.1", port, Duration.ofSeconds(20), process::isAlive);
            }
        } catch (RuntimeException e) {
            kill(); // a Redis that never answered is not left behind
            throw new IllegalStateException(e.getMessage() + "; see " + directory.resolve("redis-" + port + ".log"), e);
        }
    }

    private void awaitListening(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > end || !process.isAlive()) {
                    throw new IllegalStateException("Redis (TLS) on port " + port + " did not listen; see "
                            + directory.resolve("redis-" + port + ".log"));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    /** SIGKILL, as a crashed host would: no shutdown, no last save, no goodbye to replicas. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
    }

    /** Closes every process given, whatever one of them throws: for fixtures whose construction failed halfway. */
    static void killAll(List<? extends AutoCloseable> started) {
        for (AutoCloseable each : started) {
            try {
                each.close();
            } catch (Exception ignored) {
                // the others are still killed
            }
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path tempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
