package dev.lanes.runtime.stats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Triton's statistics for one model version (the statistics extension). Each figure has one
 * writer: the batcher's events ({@link ModelStats}: queue waits, executed batches, expiries)
 * arrive here and pass on to the per-model meters, so the two cannot disagree; request outcomes
 * are written by the node's inference service and cache lookups by its caching predictor.
 * Thread-safe and lock-free.
 */
public final class VersionStatistics implements ModelStats {
    /** A count and a cumulative duration. */
    public static final class Duration {
        private final LongAdder count = new LongAdder();
        private final LongAdder nanos = new LongAdder();

        void add(long times, long totalNanos) {
            count.add(times);
            nanos.add(totalNanos);
        }

        public long count() {
            return count.sum();
        }

        public long nanos() {
            return nanos.sum();
        }
    }

    /** Compute time of the executions of one batch size. */
    public static final class BatchSize {
        private final Duration input = new Duration();
        private final Duration infer = new Duration();
        private final Duration output = new Duration();
        private final Duration cpu = new Duration();

        public Duration input() {
            return input;
        }

        public Duration infer() {
            return infer;
        }

        public Duration output() {
            return output;
        }

        /** The instance thread's CPU time over these executions (a Lanes extension to Triton's). */
        public Duration cpu() {
            return cpu;
        }
    }

    private final ModelStats model;
    private final Duration success = new Duration();
    private final Duration fail = new Duration();
    private final Duration queue = new Duration();
    private final Duration computeInput = new Duration();
    private final Duration computeInfer = new Duration();
    private final Duration computeOutput = new Duration();
    private final Duration computeCpu = new Duration();
    private final Duration cacheHit = new Duration();
    private final Duration cacheMiss = new Duration();
    private final LongAdder inferences = new LongAdder();
    private final LongAdder executions = new LongAdder();
    private final Map<Integer, BatchSize> batches = new ConcurrentHashMap<>();
    private volatile long lastInferenceMillis;

    /** @param model the model's own sink (its meters), which receives every event too */
    public VersionStatistics(ModelStats model) {
        this.model = model;
    }

    @Override
    public void queueWait(long nanos) {
        queue.add(1, nanos);
        model.queueWait(nanos);
    }

    /**
     * Only batches that ran count as executions and inferences: Triton counts successful ones.
     * Per-request compute times are the batch's, once for each request it carried.
     */
    @Override
    public void batchExecuted(ExecutedBatch batch) {
        int requests = batch.requests();
        executions.increment();
        inferences.add(batch.rows());
        computeInput.add(requests, batch.inputNanos() * requests);
        computeInfer.add(requests, batch.inferNanos() * requests);
        computeOutput.add(requests, batch.outputNanos() * requests);
        if (batch.cpuNanos() >= 0) {
            computeCpu.add(requests, batch.cpuNanos() * requests);
        }
        BatchSize size = batches.computeIfAbsent(batch.rows(), r -> new BatchSize());
        size.input.add(1, batch.inputNanos());
        size.infer.add(1, batch.inferNanos());
        size.output.add(1, batch.outputNanos());
        if (batch.cpuNanos() >= 0) {
            size.cpu.add(1, batch.cpuNanos());
        }
        model.batchExecuted(batch);
    }

    @Override
    public void requestExpired() {
        model.requestExpired();
    }

    /** A request answered (by the model or the cache) after {@code nanos}. */
    public void succeeded(long nanos) {
        success.add(1, nanos);
        lastInferenceMillis = System.currentTimeMillis();
    }

    public void failed(long nanos) {
        fail.add(1, nanos);
    }

    /** A request answered from the cache; its lookup took {@code nanos}. Its success is counted apart. */
    public void cacheHit(long nanos) {
        cacheHit.add(1, nanos);
    }

    /** A cache miss; looking up and storing took {@code nanos}. */
    public void cacheMiss(long nanos) {
        cacheMiss.add(1, nanos);
    }

    public Duration success() {
        return success;
    }

    public Duration fail() {
        return fail;
    }

    public Duration queue() {
        return queue;
    }

    public Duration computeInput() {
        return computeInput;
    }

    public Duration computeInfer() {
        return computeInfer;
    }

    public Duration computeOutput() {
        return computeOutput;
    }

    /**
     * The instance thread's CPU time over the executions, per request as the compute durations
     * are (a Lanes extension to Triton's statistics; below their sum by time spent off the CPU).
     */
    public Duration computeCpu() {
        return computeCpu;
    }

    public Duration cacheHits() {
        return cacheHit;
    }

    public Duration cacheMisses() {
        return cacheMiss;
    }

    /** Rows run by the model (cache hits excluded). */
    public long inferenceCount() {
        return inferences.sum();
    }

    /** Model executions (batches). */
    public long executionCount() {
        return executions.sum();
    }

    /** Milliseconds since the epoch of the last successful request, 0 when none. */
    public long lastInferenceMillis() {
        return lastInferenceMillis;
    }

    /** Per batch size, ascending. */
    public Map<Integer, BatchSize> batchSizes() {
        return new TreeMap<>(batches);
    }
}
