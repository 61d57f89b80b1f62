package dev.lanes.runtime.model;

import java.time.Duration;

/**
 * Server-wide defaults for the runtime, used where a model's config.pbtxt is silent. The server
 * builds this from its configuration; the runtime reads no configuration itself.
 *
 * @param executionProvider   provider for models whose instance_group does not choose one
 * @param defaultMaxBatchSize max_batch_size given to a model without config.pbtxt whose inputs
 *                            and outputs all have a dynamic first dimension
 * @param defaultMaxQueueDelay max_queue_delay for models whose batching Lanes configured itself
 * @param defaultMaxQueueSize bound used when a model sets no max_queue_size (Triton's 0 means
 *                            unbounded; Lanes always bounds its queues)
 * @param warmUp              run one inference on every instance before a model reports ready
 * @param bufferPoolBytes     direct memory kept for reuse by the tensor buffer pool
 */
public record RuntimeSettings(ProviderChoice executionProvider,
                              int defaultMaxBatchSize,
                              Duration defaultMaxQueueDelay,
                              int defaultMaxQueueSize,
                              boolean warmUp,
                              long bufferPoolBytes) {
    public RuntimeSettings {
        if (defaultMaxBatchSize < 1) {
            throw new IllegalArgumentException("lanes.runtime.default-max-batch-size must be >= 1, got " + defaultMaxBatchSize);
        }
        if (defaultMaxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("lanes.runtime.default-max-queue-delay must not be negative");
        }
        if (defaultMaxQueueSize < 1) {
            throw new IllegalArgumentException("lanes.runtime.default-max-queue-size must be >= 1, got " + defaultMaxQueueSize);
        }
        if (bufferPoolBytes < 0) {
            throw new IllegalArgumentException("lanes.runtime.buffer-pool-size must be >= 0");
        }
    }

    public static RuntimeSettings defaults() {
        return new RuntimeSettings(ProviderChoice.CPU, 8, Duration.ZERO, 1024, true, 256L << 20);
    }

    public RuntimeSettings withExecutionProvider(ProviderChoice choice) {
        return new RuntimeSettings(choice, defaultMaxBatchSize, defaultMaxQueueDelay, defaultMaxQueueSize, warmUp,
                bufferPoolBytes);
    }
}
