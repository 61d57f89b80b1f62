package dev.lanes.server.grpc;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.Cancellation;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Status;

import java.util.concurrent.TimeUnit;

/** What the runtime needs from a gRPC call's {@link Context}: its deadline and its cancellation. */
final class CallContext {
    private CallContext() {
    }

    /**
     * The client's deadline ({@code grpc-timeout}, which grpc-java turned into the context's
     * deadline) as a {@link System#nanoTime()} value, saturated at {@link Long#MAX_VALUE}: the
     * largest legal timeout (99999999H) must not wrap into the past.
     */
    static long deadlineNanos(Context context) {
        Deadline deadline = context.getDeadline();
        if (deadline == null) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long remaining = deadline.timeRemaining(TimeUnit.NANOSECONDS);
        return remaining > 0 && now > Long.MAX_VALUE - remaining ? Long.MAX_VALUE : now + remaining;
    }

    /** The runtime's view of the context's cancellation: by the client, or at its deadline. */
    static Cancellation cancellation(Context context) {
        return action -> {
            Context.CancellationListener listener = cancelled -> action.accept(reason(cancelled));
            context.addListener(listener, Runnable::run);
            return () -> context.removeListener(listener);
        };
    }

    /**
     * At a deadline both sides give up at once: the client resets the stream (RST_STREAM CANCEL,
     * which looks like any cancellation) as the server's own timer fires, and either may cancel
     * the context first. The server's deadline runs from when it read the call's headers, a little
     * after the client's, so a cancellation within {@link #DEADLINE_SKEW_NANOS} of it is the
     * client's deadline too.
     */
    private static InferenceException reason(Context cancelled) {
        Status status = Contexts.statusFromCancelled(cancelled);
        Deadline deadline = cancelled.getDeadline();
        boolean deadlinePassed = status != null && status.getCode() == Status.Code.DEADLINE_EXCEEDED;
        if (deadlinePassed || atDeadline(deadline == null ? Long.MAX_VALUE : deadline.timeRemaining(TimeUnit.NANOSECONDS))) {
            return new InferenceException(ErrorKind.DEADLINE_EXCEEDED,
                    "the client's deadline passed while the request was queued");
        }
        return new InferenceException(ErrorKind.CANCELLED, "the client cancelled the call");
    }

    static final long DEADLINE_SKEW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Whether a cancellation with {@code remainingNanos} left before the server's deadline is that deadline. */
    static boolean atDeadline(long remainingNanos) {
        return remainingNanos <= DEADLINE_SKEW_NANOS;
    }
}
