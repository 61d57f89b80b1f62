package dev.lanes.benchmarks.load;

import java.io.PrintStream;
import java.util.concurrent.locks.LockSupport;

/** A status line rewritten every second while a load runs: elapsed time, counts and current rate. */
final class Progress implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stopped;

    private Progress(String label, Tally tally, PrintStream out) {
        long start = System.nanoTime();
        thread = Thread.ofPlatform().daemon(true).name("load-progress").start(() -> {
            Counts previous = tally.counts();
            while (!stopped) {
                LockSupport.parkNanos(1_000_000_000L);
                Counts now = tally.counts();
                Counts second = now.minus(previous);
                previous = now;
                out.printf("\r%s %5.1fs ok %d (%d/s) rejected %d errors %d   ", label,
                        (System.nanoTime() - start) / 1e9, now.ok(), second.ok(), now.rejected(), now.errors());
                out.flush();
            }
        });
    }

    /** Prints to stderr when {@code enabled}; otherwise a no-op. */
    static Progress show(String label, Tally tally, boolean enabled) {
        return enabled ? new Progress(label, tally, System.err) : null;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println();
    }
}
