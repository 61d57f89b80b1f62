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
 * @param cpus                the CPUs the node sizes its default thread counts by (ONNX Runtime's
 *                            intra-op threads per instance are {@code cpus / instances} where a
 *                            model sets none): the pod's CPU request, not the host's cores
 */
public record RuntimeSettings(ProviderChoice executionProvider,
                              int defaultMaxBatchSize,
                              Duration defaultMaxQueueDelay,
                              int defaultMaxQueueSize,
                              boolean warmUp,
                              long bufferPoolBytes,
                              int cpus) {
    public RuntimeSettings {
        ConfigBounds.check("lanes.runtime.default-max-batch-size", defaultMaxBatchSize, 1, ConfigBounds.MAX_BATCH_SIZE);
        ConfigBounds.check("lanes.runtime.default-max-queue-delay (microseconds)",
                defaultMaxQueueDelay.isNegative() ? -1
                        : defaultMaxQueueDelay.getSeconds() > 3600 ? Long.MAX_VALUE : defaultMaxQueueDelay.toNanos() / 1000, 0,
                ConfigBounds.MAX_QUEUE_DELAY_MICROS);
        ConfigBounds.check("lanes.runtime.default-max-queue-size", defaultMaxQueueSize, 1, ConfigBounds.MAX_QUEUE_SIZE);
        // The pool holds direct memory: at most what one JVM can address as direct buffers here.
        ConfigBounds.check("lanes.runtime.buffer-pool-size", bufferPoolBytes, 0, 64L << 30);
        ConfigBounds.check("lanes.cpus", cpus, 1, ConfigBounds.MAX_CPUS);
    }

    public static RuntimeSettings defaults() {
        return new RuntimeSettings(ProviderChoice.CPU, 8, Duration.ZERO, 1024, true, 256L << 20,
                Math.min(ConfigBounds.MAX_CPUS, Runtime.getRuntime().availableProcessors()));
    }

    public RuntimeSettings withExecutionProvider(ProviderChoice choice) {
        return new RuntimeSettings(choice, defaultMaxBatchSize, defaultMaxQueueDelay, defaultMaxQueueSize, warmUp,
                bufferPoolBytes, cpus);
    }
}
