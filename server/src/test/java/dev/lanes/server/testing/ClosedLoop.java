package dev.lanes.server.testing;

import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load for the probes: {@code concurrency} virtual threads call back to back; two
 * seconds of warm-up, then the calls that succeed within the window are counted. Not a test.
 */
public final class ClosedLoop {
    /** One call; true when it succeeded. */
    @FunctionalInterface
    public interface Call {
        boolean run() throws Exception;
    }

    private ClosedLoop() {
    }

    /** Successful calls per second over {@code seconds}, after the warm-up. */
    public static double rate(int concurrency, int seconds, Call call) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < concurrency; c++) {
                threads.submit(() -> {
                    while (!stop.get()) {
                        boolean ok = call.run();
                        if (measuring.get()) {
                            (ok ? done : failed).incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            window(2); // warm-up: JIT, connections, pools
            measuring.set(true);
            long start = System.nanoTime();
            window(seconds);
            measuring.set(false);
            double elapsed = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            if (failed.get() > 0) {
                System.out.println(failed.get() + " failed calls");
            }
            return done.get() / elapsed;
        }
    }

    /** The measurement window itself: the probe's clock, not a wait for work. */
    private static void window(int seconds) throws InterruptedException {
        TimeUnit.SECONDS.sleep(seconds);
    }
}
