package dev.lanes.runtime.batch;

import java.util.Set;

/**
 * What a request asks of the batcher besides its inputs.
 *
 * @param outputs             the outputs to return; empty for all
 * @param timeoutMicros       the request's own queue timeout, 0 for the model's default
 *                            (see {@link BatchPolicy#deadline})
 * @param clientDeadlineNanos the client's own deadline (a gRPC deadline) on the batcher's clock,
 *                            {@link Long#MAX_VALUE} for none; unlike the timeout it always applies
 * @param cancellation        the client giving up; {@link Cancellation#NONE} where it cannot
 */
public record RequestOptions(Set<String> outputs, long timeoutMicros, long clientDeadlineNanos,
                             Cancellation cancellation) {
    public RequestOptions {
        outputs = Set.copyOf(outputs);
    }

    /** The same request, deaf to its client's cancellation: for a flight other callers share. */
    public RequestOptions uncancellable() {
        return new RequestOptions(outputs, timeoutMicros, clientDeadlineNanos, Cancellation.NONE);
    }
}
