package dev.lanes.cache.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis for tests: {@code REDIS_URL} when set; else a Testcontainers Redis when a Docker
 * engine answers; else a {@code redis-server} binary started on a free loopback port and stopped
 * by its PID. Tests never skip for want of Redis: without all three they fail, saying what to
 * install.
 */
public abstract class RedisFixture implements AutoCloseable {
    public abstract String url();

    /** Stops Redis (simulating an outage); {@link #restart()} brings it back on the same address. */
    public abstract void kill();

    public abstract void restart();

    /** Whether {@link #kill()} and {@link #restart()} work (not for an external REDIS_URL). */
    public abstract boolean controllable();

    @Override
    public abstract void close();

    public static RedisFixture start() {
        String external = System.getenv("REDIS_URL");
        if (external != null && !external.isBlank()) {
            return new External(external);
        }
        return startOwned();
    }

    /** A Redis this test controls (for outage tests), even when REDIS_URL points elsewhere. */
    public static RedisFixture startOwned() {
        if (dockerAvailable()) {
            return new Container();
        }
        return new LocalProcess();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Waits until Redis answers PING (or refuses it for want of AUTH), for at most {@code timeout}. */
    static void awaitPong(String host, int port, Duration timeout) {
        awaitPong(host, port, timeout, () -> true);
    }

    /** The same, giving up at once when {@code alive} says the process has exited. */
    static void awaitPong(String host, int port, Duration timeout, java.util.function.BooleanSupplier alive) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException("Redis on " + host + ":" + port + " exited before it answered PING");
            }
            try (Socket socket = new Socket(host, port)) {
                socket.setSoTimeout(1000);
                OutputStream out = socket.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] reply = in.readNBytes(7);
                String answer = new String(reply, StandardCharsets.US_ASCII);
                // a Redis with a password answers too, with NOAUTH
                if (answer.startsWith("+PONG") || answer.startsWith("-NOAUTH")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("Redis on " + host + ":" + port + " did not answer PING within " + timeout);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static final class External extends RedisFixture {
        private final String url;

        External(String url) {
            this.url = url;
        }

        @Override
        public String url() {
            return url;
        }

        @Override
        public void kill() {
            throw new UnsupportedOperationException("an external REDIS_URL cannot be stopped by tests");
        }

        @Override
        public void restart() {
            throw new UnsupportedOperationException("an external REDIS_URL cannot be restarted by tests");
        }

        @Override
        public boolean controllable() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    private static final class Container extends RedisFixture {
        @SuppressWarnings("resource")
        private final GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);

        Container() {
            redis.start();
        }

        @Override
        public String url() {
            return "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
        }

        @Override
        public void kill() {
            redis.getDockerClient().pauseContainerCmd(redis.getContainerId()).exec();
        }

        @Override
        public void restart() {
            redis.getDockerClient().unpauseContainerCmd(redis.getContainerId()).exec();
        }

        @Override
        public boolean controllable() {
            return true;
        }

        @Override
        public void close() {
            redis.stop();
        }
    }

    private static final class LocalProcess extends RedisFixture {
        private final RedisProcess redis = RedisProcess.server(RedisProcess.tempDirectory("lanes-redis"), List.of());

        @Override
        public String url() {
            return "redis://" + redis.address();
        }

        @Override
        public void kill() {
            redis.kill();
        }

        @Override
        public void restart() {
            redis.start();
        }

        @Override
        public boolean controllable() {
            return true;
        }

        @Override
        public void close() {
            redis.kill();
        }
    }
}
