package dev.lanes.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Lanes node in its own process, started with {@code bin/lanes serve} on free ports. */
public final class NodeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Lanes listening on [^:]+:(\\d+)");
    private static final Pattern GRPC = Pattern.compile("gRPC on [^:]+:(\\d+)");

    /** Output kept after start-up, for tests of what the node logs; beyond this it is only drained. */
    private static final int KEPT_OUTPUT_CHARS = 1 << 20;

    private final Process process;
    private final int port;
    private final int grpcPort;
    private final String startupOutput;
    private final StringBuilder laterOutput = new StringBuilder();

    private NodeProcess(Process process, int port, int grpcPort, String startupOutput) {
        this.process = process;
        this.port = port;
        this.grpcPort = grpcPort;
        this.startupOutput = startupOutput;
    }

    /**
     * Starts {@code bin/lanes serve --host 127.0.0.1 --port 0 --grpc-port FREE} plus {@code flags},
     * and waits until it listens.
     */
    public static NodeProcess start(String... flags) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of("..", "bin", "lanes").toString(), "serve",
                "--host", "127.0.0.1", "--port", "0", "--grpc-port", Integer.toString(freePort())));
        command.addAll(List.of(flags));
        return startCommand(command);
    }

    /** A loopback port free at the time of asking (gRPC's port 0 means off, so the test picks one). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Starts any command that runs a node and logs its "Lanes listening" line; waits for that line. */
    public static NodeProcess startCommand(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = lines.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.find()) {
                Matcher grpc = GRPC.matcher(line);
                NodeProcess node = new NodeProcess(process, Integer.parseInt(matcher.group(1)),
                        grpc.find() ? Integer.parseInt(grpc.group(1)) : -1, seen.toString());
                Thread.ofVirtual().start(() -> lines.lines().forEach(node::keep)); // keeps the pipe drained too
                return node;
            }
        }
        throw new IllegalStateException(command.get(0) + " exited before listening:\n" + seen);
    }

    public int port() {
        return port;
    }

    /** Everything the node printed up to and including its "Lanes listening" line. */
    public String startupOutput() {
        return startupOutput;
    }

    private void keep(String line) {
        synchronized (laterOutput) {
            if (laterOutput.length() < KEPT_OUTPUT_CHARS) {
                laterOutput.append(line).append('\n');
            }
        }
    }

    /** What the node printed after its "Lanes listening" line (the first MiB of it). */
    public String laterOutput() {
        synchronized (laterOutput) {
            return laterOutput.toString();
        }
    }

    /**
     * Waits until the output after the "Lanes listening" line contains {@code text}: after the
     * process ended, its last lines may still be on their way through the pipe.
     */
    public boolean awaitOutput(String text, long seconds) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!laterOutput().contains(text)) {
            if (System.nanoTime() > end) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return true;
    }

    /** The node's resident memory now, in bytes (Linux: VmRSS of its process). */
    public long residentBytes() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for process " + process.pid());
    }

    /** The node's process id (for /proc). */
    public long pid() {
        return process.pid();
    }

    /** The gRPC port, -1 when the node runs without gRPC. */
    public int grpcPort() {
        return grpcPort;
    }

    /**
     * Sends SIGTERM without waiting. Through the process handle: {@code Process.destroy()} also
     * closes the pipes, which would lose what the node logs while it drains.
     */
    public boolean signal() {
        process.toHandle().destroy();
        return true;
    }

    /** Waits for the process to end; true when it did within {@code seconds}. */
    public boolean awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM and waits for the process to end; true when it did within 30 s. */
    public boolean stop() throws InterruptedException {
        signal();
        return process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() && !stop()) {
            process.destroyForcibly();
        }
    }
}
