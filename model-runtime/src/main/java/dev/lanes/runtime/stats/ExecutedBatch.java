package dev.lanes.runtime.stats;

/**
 * One batch that ran to completion, timed by its batcher on one clock: assembling the inputs,
 * running the model, slicing the outputs back per request. The batcher reports each batch once;
 * Triton's statistics and the meters both read it from there.
 *
 * @param rows     batch rows (the sum of the requests' dim 0)
 * @param requests requests the batch carried
 * @param cpuNanos CPU time the instance thread used over the whole execution, or -1 where the JVM
 *                 cannot measure it; below {@link #nanos()} by the time the thread spent off the
 *                 CPU (preempted or waiting)
 */
public record ExecutedBatch(int rows, int requests, long inputNanos, long inferNanos, long outputNanos,
                            long cpuNanos) {
    /** A batch whose CPU time is unknown. */
    public ExecutedBatch(int rows, int requests, long inputNanos, long inferNanos, long outputNanos) {
        this(rows, requests, inputNanos, inferNanos, outputNanos, -1);
    }

    /** The whole execution, assembly to slicing. */
    public long nanos() {
        return inputNanos + inferNanos + outputNanos;
    }
}
