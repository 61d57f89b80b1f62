package dev.lanes.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short command to completion with its own stdin and stdout. Surefire and failsafe talk to
 * the forked test JVM over that JVM's stdin and stdout: a node child (npm) that inherits stdin
 * makes it non-blocking, and the fork then dies with "std/in stream corrupted" after every test
 * has passed; a child writing to an inherited stdout corrupts the event stream.
 */
public final class ChildCommand {

    /** The exit code and everything the command wrote to stdout and stderr. */
    public record Outcome(int exitCode, String output) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    private static final long TIMEOUT_MINUTES = 5;

    private ChildCommand() {
    }

    public static Outcome run(List<String> command) throws IOException, InterruptedException {
        return run(command, Path.of("."));
    }

    public static Outcome run(List<String> command, Path directory) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .start();
        // Read on the side, so a command that never ends fails the test instead of hanging it.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> Thread.ofVirtual().start(task));
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(command + " still running after " + TIMEOUT_MINUTES + " minutes: "
                    + output.getNow("(no output yet)"));
        }
        return new Outcome(process.exitValue(), output.join());
    }
}
