package dev.lanes.runtime.batch;

import dev.lanes.runtime.InferenceException;

import java.util.function.Consumer;

/**
 * How a caller's transport tells the runtime that nobody waits for a request's answer any more
 * (a gRPC call cancelled by its client or past its deadline), so a request still queued is
 * dropped before it runs and frees its place.
 */
@FunctionalInterface
public interface Cancellation {
    /** For callers that cannot be cancelled: REST requests, and flights shared by several callers. */
    Cancellation NONE = action -> () -> { };

    /**
     * Calls {@code action} with the reason once the caller gives up, on whatever thread notices;
     * at once when it already has. The returned handle stops listening.
     */
    Runnable onCancel(Consumer<InferenceException> action);
}
