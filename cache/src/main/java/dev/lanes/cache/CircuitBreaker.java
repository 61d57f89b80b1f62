package dev.lanes.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Stops calling a backend that keeps failing: after {@code failureThreshold} consecutive failures
 * it opens for {@code openTime}, then lets one probe through (half-open); a success closes it.
 * Thread-safe and lock-free.
 */
final class CircuitBreaker {
    private final int failureThreshold;
    private final long openNanos;
    private final LongSupplier ticker;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong openUntil = new AtomicLong(Long.MIN_VALUE);

    CircuitBreaker(int failureThreshold, Duration openTime, LongSupplier ticker) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failure threshold must be >= 1");
        }
        this.failureThreshold = failureThreshold;
        this.openNanos = openTime.toNanos();
        this.ticker = ticker;
    }

    /** Whether a call may go to the backend now. In half-open state only one caller gets through. */
    boolean allow() {
        long until = openUntil.get();
        if (until == Long.MIN_VALUE) {
            return true;
        }
        long now = ticker.getAsLong();
        // Half-open: the first caller after the open period moves the window on and probes.
        return now >= until && openUntil.compareAndSet(until, now + openNanos);
    }

    void success() {
        consecutiveFailures.set(0);
        openUntil.set(Long.MIN_VALUE);
    }

    void failure() {
        if (consecutiveFailures.incrementAndGet() >= failureThreshold) {
            openUntil.set(ticker.getAsLong() + openNanos);
        }
    }

    boolean isOpen() {
        return openUntil.get() != Long.MIN_VALUE;
    }
}
