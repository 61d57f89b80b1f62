package dev.lanes.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Lanes node in its own process, started with {@code bin/lanes serve} on a free port. */
public final class NodeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Lanes listening on [^:]+:(\\d+)");

    private final Process process;
    private final int port;

    private NodeProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code bin/lanes serve --host 127.0.0.1 --port 0} plus {@code flags}, and waits until it listens. */
    public static NodeProcess start(String... flags) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of("..", "bin", "lanes").toString(), "serve",
                "--host", "127.0.0.1", "--port", "0"));
        command.addAll(List.of(flags));
        return startCommand(command);
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
                Thread.ofVirtual().start(() -> lines.lines().forEach(ignored -> { })); // keep the pipe drained
                return new NodeProcess(process, Integer.parseInt(matcher.group(1)));
            }
        }
        throw new IllegalStateException(command.get(0) + " exited before listening:\n" + seen);
    }

    public int port() {
        return port;
    }

    /** Sends SIGTERM without waiting. */
    public boolean signal() {
        process.destroy();
        return true;
    }

    /** Waits for the process to end; true when it did within {@code seconds}. */
    public boolean awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM and waits for the process to end; true when it did within 30 s. */
    public boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() && !stop()) {
            process.destroyForcibly();
        }
    }
}
