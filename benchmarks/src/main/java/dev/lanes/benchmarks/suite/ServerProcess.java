package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.CpuSplit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server under test in its own JVM (Lanes or the echo route), started and stopped by the suite. */
public final class ServerProcess implements AutoCloseable {
    /** JVM flags every server process gets; reported with the results. */
    static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED");

    /** How often readiness is polled unless a caller asks for finer: the start's figure's resolution. */
    private static final Duration READY_POLL = Duration.ofMillis(200);

    private final Process process;
    private final int port;
    private final int grpcPort;
    private final long startedNanos;
    private long readyNanos;

    private ServerProcess(Process process, int port, int grpcPort, long startedNanos) {
        this.process = process;
        this.port = port;
        this.grpcPort = grpcPort;
        this.startedNanos = startedNanos;
    }

    /** Lanes from its jar ({@code bin/lanes serve} runs the same), on free REST and gRPC ports, on every CPU. */
    public static ServerProcess lanes(Path serverJar, Path repository, Path log, List<String> extraFlags) throws IOException {
        return lanes(serverJar, repository, log, extraFlags, CpuSplit.SHARED);
    }

    /** As above, on the measured side's CPUs of {@code cpus}. */
    public static ServerProcess lanes(Path serverJar, Path repository, Path log, List<String> extraFlags, CpuSplit cpus)
            throws IOException {
        int port = freePort();
        int grpcPort = freePort();
        return start(lanesCommand(cpus.prefix(), List.of(), serverJar, repository, port, grpcPort, extraFlags),
                port, grpcPort, log);
    }

    /** The command that runs a Lanes node: {@code prefix} (taskset, a CPU quota), java, its flags, serve. */
    static List<String> lanesCommand(List<String> prefix, List<String> jvmFlags, Path serverJar, Path repository,
                                     int port, int grpcPort, List<String> serverFlags) {
        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_FLAGS);
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", serverJar.toString(), "serve", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--grpc-port", Integer.toString(grpcPort),
                "--model-repository", repository.toString()));
        command.addAll(serverFlags);
        return command;
    }

    /**
     * The bare-transport echo route, from this process's class path, or from the one in
     * {@code lanes.bench.classpath} (a test runner's class path may be a manifest-only jar).
     */
    static ServerProcess echo(Path log, CpuSplit cpus) throws IOException {
        int port = freePort();
        int grpcPort = freePort();
        List<String> command = new ArrayList<>(java(cpus));
        command.addAll(List.of("-cp", classPath(),
                "dev.lanes.benchmarks.echo.EchoServer",
                Integer.toString(port), Integer.toString(grpcPort)));
        return start(command, port, grpcPort, log);
    }

    /** A JVM on the benchmarks' class path and the measured CPUs, for the raw baseline's own process. */
    static List<String> benchmarkJvm(CpuSplit cpus) {
        List<String> command = new ArrayList<>(java(cpus));
        command.addAll(List.of("-cp", classPath()));
        return command;
    }

    private static String classPath() {
        return System.getProperty("lanes.bench.classpath", System.getProperty("java.class.path"));
    }

    private static List<String> java(CpuSplit cpus) {
        List<String> command = new ArrayList<>(cpus.prefix());
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JVM_FLAGS);
        return command;
    }

    private static ServerProcess start(List<String> command, int port, int grpcPort, Path log) throws IOException {
        return start(command, port, grpcPort, log, READY_POLL);
    }

    /** Starts {@code command} and returns once it answers 200 on /v2/health/ready, polled every {@code poll}. */
    static ServerProcess start(List<String> command, int port, int grpcPort, Path log, Duration poll)
            throws IOException {
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServerProcess server = new ServerProcess(process, port, grpcPort, started);
        server.awaitReady(Duration.ofMinutes(3), poll, log);
        return server;
    }

    /** Milliseconds from the process's start to its first 200 on /v2/health/ready. */
    double readyMillis() {
        return (readyNanos - startedNanos) / 1e6;
    }

    public int port() {
        return port;
    }

    public int grpcPort() {
        return grpcPort;
    }

    public long pid() {
        return process.pid();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady(Duration timeout, Duration poll, Path log) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                int status = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/v2/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    readyNanos = System.nanoTime();
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the server", e);
            }
            try {
                Thread.sleep(poll.toMillis()); // a child process's readiness: nothing to wait on but polling
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the server", e);
            }
        }
        close();
        throw new IOException("server not ready after " + timeout.toSeconds() + " s; see " + log);
    }

    /** SIGTERM, then the kill after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** A loopback port free at the time of asking. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
