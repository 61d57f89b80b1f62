package dev.lanes.server.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallContextTest {
    @Test
    void noDeadline_isForever() {
        assertEquals(Long.MAX_VALUE, CallContext.deadlineNanos(Context.ROOT));
    }

    @Test
    void largestLegalTimeout_saturatesInsteadOfWrappingIntoThePast() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            // grpc-timeout 99999999H, the largest a client can send.
            Context.CancellableContext context = Context.ROOT.withDeadline(
                    Deadline.after(99_999_999L, TimeUnit.HOURS), timer);
            long deadline = CallContext.deadlineNanos(context);
            assertTrue(deadline - System.nanoTime() > TimeUnit.DAYS.toNanos(365), "far in the future: " + deadline);
            context.cancel(null);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void cancellationRightAtTheDeadline_countsAsTheDeadline_earlierOnesAsCancellation() {
        assertTrue(CallContext.atDeadline(0));
        assertTrue(CallContext.atDeadline(-5));
        assertTrue(CallContext.atDeadline(CallContext.DEADLINE_SKEW_NANOS));
        assertFalse(CallContext.atDeadline(CallContext.DEADLINE_SKEW_NANOS + 1));
        assertFalse(CallContext.atDeadline(Long.MAX_VALUE));
    }
}
