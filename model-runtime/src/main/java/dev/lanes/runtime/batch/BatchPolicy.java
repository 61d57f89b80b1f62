package dev.lanes.runtime.batch;

import java.util.Arrays;

/**
 * How one model version forms batches (Triton's dynamic_batching and default_queue_policy).
 *
 * @param maxBatchSize        rows per executed batch; 0 means the model does not batch at all
 * @param dynamicBatching     whether requests are merged; false runs each request alone
 * @param maxQueueDelayNanos  how long the oldest request may wait for others to join
 * @param preferredBatchSizes sizes dispatched as soon as they can be formed, ascending
 * @param maxQueueSize        requests admitted and not yet executing; more are refused
 * @param defaultTimeoutNanos a request's queue timeout when it sets none; 0 means none
 * @param allowTimeoutOverride whether a request may set a lower timeout than the default
 */
public record BatchPolicy(int maxBatchSize,
                          boolean dynamicBatching,
                          long maxQueueDelayNanos,
                          int[] preferredBatchSizes,
                          int maxQueueSize,
                          long defaultTimeoutNanos,
                          boolean allowTimeoutOverride) {
    public BatchPolicy {
        if (maxBatchSize < 0) {
            throw new IllegalArgumentException("max_batch_size must be >= 0, got " + maxBatchSize);
        }
        if (maxQueueDelayNanos < 0) {
            throw new IllegalArgumentException("max_queue_delay_microseconds must be >= 0");
        }
        if (maxQueueSize <= 0) {
            throw new IllegalArgumentException("max_queue_size must be > 0, got " + maxQueueSize);
        }
        if (defaultTimeoutNanos < 0) {
            throw new IllegalArgumentException("default_timeout_microseconds must be >= 0");
        }
        preferredBatchSizes = preferredBatchSizes.clone();
        Arrays.sort(preferredBatchSizes);
        for (int size : preferredBatchSizes) {
            if (size <= 0 || size > maxBatchSize) {
                throw new IllegalArgumentException("preferred_batch_size " + size
                        + " must be between 1 and max_batch_size " + maxBatchSize);
            }
        }
        dynamicBatching = dynamicBatching && maxBatchSize > 0;
    }

    /** A policy that runs every request alone, in arrival order. */
    public static BatchPolicy unbatched(int maxBatchSize, int maxQueueSize) {
        return new BatchPolicy(maxBatchSize, false, 0, new int[0], maxQueueSize, 0, false);
    }

    @Override
    public int[] preferredBatchSizes() {
        return preferredBatchSizes.clone();
    }

    /** The batch size worth dispatching at once: the largest preferred size, else the maximum. */
    int targetBatchSize() {
        return preferredBatchSizes.length > 0 ? preferredBatchSizes[preferredBatchSizes.length - 1] : maxBatchSize;
    }

    boolean hasPreferredSizes() {
        return preferredBatchSizes.length > 0;
    }

    boolean isPreferred(int rows) {
        return Arrays.binarySearch(preferredBatchSizes, rows) >= 0;
    }

    /**
     * The deadline of a request admitted at {@code now}: the model default, lowered by the
     * request's own timeout where the policy allows it (Triton's rule: a request may only lower
     * the default; with no default, its own timeout applies).
     */
    public long deadline(long now, long requestTimeoutNanos) {
        long timeout = defaultTimeoutNanos;
        if (requestTimeoutNanos > 0 && (timeout == 0 || (allowTimeoutOverride && requestTimeoutNanos < timeout))) {
            timeout = requestTimeoutNanos;
        }
        return timeout == 0 ? Long.MAX_VALUE : now + timeout;
    }
}
