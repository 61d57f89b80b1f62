package dev.lanes.runtime.testing;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waits for a condition that another thread or process brings about (a poller, a load in
 * progress), checking it every few milliseconds and failing with {@code what} at the deadline.
 */
public final class Await {
    private static final long CHECK_EVERY_MILLIS = 5;

    private Await() {
    }

    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    public static void until(Condition condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "timed out after " + timeout + " waiting until " + what);
            Thread.sleep(CHECK_EVERY_MILLIS); // the condition changes on other threads; nothing to wait on here
        }
    }
}
