package dev.lanes.runtime.testing;

import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.model.ConfigBounds;
import dev.lanes.runtime.model.ModelSettings;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.model.SignatureResolver;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.DataType;

import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A parsed model configuration taken as a load takes it, against what ONNX Runtime would report of
 * a batchable affine model: settings, version choice, signature and batching policy. The one way a
 * configuration may fail is {@link IllegalArgumentException} with a reason for the index; what
 * resolves stays within {@link ConfigBounds}. Shared by the config.pbtxt and load-override fuzzers.
 */
public final class ConfigResolution {
    private static final List<TensorSpec> MODEL_INPUTS = List.of(new TensorSpec("x", DataType.FP32, new long[]{-1, 4}));
    private static final List<TensorSpec> MODEL_OUTPUTS = List.of(new TensorSpec("y", DataType.FP32, new long[]{-1, 3}));

    private ConfigResolution() {
    }

    public static void resolveOrRefuse(ModelConfig config) {
        RuntimeSettings runtime = RuntimeSettings.defaults();
        try {
            ModelSettings settings = ModelSettings.resolve("m", config, runtime);
            settings.versionPolicy().select(new TreeSet<>(List.of(1L, 2L, 7L)));
            SignatureResolver.Resolved resolved = SignatureResolver.resolve(settings.config(), MODEL_INPUTS,
                    MODEL_OUTPUTS, runtime);
            assertTrue(settings.instanceCount() >= 1 && settings.instanceCount() <= ConfigBounds.MAX_INSTANCES,
                    "instances " + settings.instanceCount());
            assertTrue(settings.intraOpThreads() <= ConfigBounds.MAX_INTRA_OP_THREADS
                    && settings.interOpThreads() <= ConfigBounds.MAX_INTER_OP_THREADS, "thread counts");
            assertTrue(resolved.signature().maxBatchSize() <= ConfigBounds.MAX_BATCH_SIZE, "max_batch_size");
            assertTrue(resolved.policy().maxQueueSize() <= ConfigBounds.MAX_QUEUE_SIZE, "queue size");
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), "a refusal says why");
        }
    }
}
