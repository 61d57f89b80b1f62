package dev.lanes.runtime.batch;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One timer thread for every queued request's deadline. Timers of requests that finish first are
 * cancelled and removed at once, so the timer queue holds only requests still waiting.
 */
public final class QueueDeadlines {
    private static final ScheduledThreadPoolExecutor TIMER = create();

    private QueueDeadlines() {
    }

    private static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("lanes-queue-deadlines").daemon(true).factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Runs {@code action} after {@code delayNanos}; cancel the result when it is no longer needed. */
    public static ScheduledFuture<?> after(long delayNanos, Runnable action) {
        return TIMER.schedule(action, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }
}
