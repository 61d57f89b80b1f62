package dev.lanes.cache;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    private final AtomicLong now = new AtomicLong();
    private final CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(2), now::get);

    @Test
    void failures_belowThreshold_keepItClosed() {
        breaker.failure();
        breaker.failure();
        assertTrue(breaker.allow());
        breaker.success();
        breaker.failure();
        breaker.failure();
        assertTrue(breaker.allow(), "a success resets the count");
    }

    @Test
    void thresholdReached_opensThenLetsOneProbeThroughAfterTheOpenTime() {
        breaker.failure();
        breaker.failure();
        breaker.failure();
        assertFalse(breaker.allow());
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertTrue(breaker.allow(), "one probe");
        assertFalse(breaker.allow(), "only one");
        breaker.success();
        assertTrue(breaker.allow());
        assertTrue(breaker.allow());
    }

    @Test
    void failedProbe_keepsItOpen() {
        for (int i = 0; i < 3; i++) {
            breaker.failure();
        }
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertTrue(breaker.allow());
        breaker.failure();
        assertFalse(breaker.allow());
    }
}
