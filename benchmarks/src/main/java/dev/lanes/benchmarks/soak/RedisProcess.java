package dev.lanes.benchmarks.soak;

import dev.lanes.benchmarks.suite.ServerProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** A local redis-server on a free loopback port, without persistence, that can be killed and started again on it. */
final class RedisProcess implements AutoCloseable {
    private final int port = ServerProcess.freePort();
    private final Path log;
    private Process process;

    private RedisProcess(Path log) throws IOException {
        this.log = log;
    }

    static RedisProcess start(Path log) throws IOException {
        RedisProcess redis = new RedisProcess(log);
        redis.launch();
        return redis;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    void restart() throws IOException {
        launch();
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("redis-server did not start (is it installed?); see " + log);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a child's readiness: polling is all there is
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
