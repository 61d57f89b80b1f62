package dev.lanes.runtime.batch;

import dev.lanes.runtime.model.ConfigBounds;

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
        ConfigBounds.check("max_batch_size", maxBatchSize, 0, ConfigBounds.MAX_BATCH_SIZE);
        ConfigBounds.check("max_queue_delay_microseconds", maxQueueDelayNanos / 1000, 0,
                ConfigBounds.MAX_QUEUE_DELAY_MICROS);
        ConfigBounds.check("max_queue_size", maxQueueSize, 1, ConfigBounds.MAX_QUEUE_SIZE);
        ConfigBounds.check("default_timeout_microseconds", defaultTimeoutNanos / 1000, 0,
                ConfigBounds.MAX_TIMEOUT_MICROS);
        ConfigBounds.check("the number of preferred_batch_size values", preferredBatchSizes.length, 0,
                ConfigBounds.MAX_PREFERRED_BATCH_SIZES);
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
        if (timeout == 0) {
            return Long.MAX_VALUE;
        }
        try {
            return Math.addExact(now, timeout);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // a timeout of centuries must not wrap into the past and expire at once
        }
    }
}
