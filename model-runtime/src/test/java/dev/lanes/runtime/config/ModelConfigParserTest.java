package dev.lanes.runtime.config;

import dev.lanes.runtime.config.proto.DataType;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.config.proto.ModelInstanceGroup;
import dev.lanes.runtime.model.ModelSettings;
import dev.lanes.runtime.model.ProviderChoice;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.model.VersionPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigParserTest {
    /** A config as Triton users write it, with fields Lanes does not read. */
    private static final String TRITON_CONFIG = """
            name: "densenet_onnx"
            platform: "onnxruntime_onnx"
            max_batch_size: 8
            input [
              {
                name: "data_0"
                data_type: TYPE_FP32
                format: FORMAT_NCHW
                dims: [ 3, 224, 224 ]
                reshape { shape: [ 1, 3, 224, 224 ] }
              }
            ]
            output [
              {
                name: "fc6_1"
                data_type: TYPE_FP32
                dims: [ 1000 ]
                label_filename: "densenet_labels.txt"
              }
            ]
            dynamic_batching {
              preferred_batch_size: [ 4, 8 ]
              max_queue_delay_microseconds: 100
              priority_levels: 2
              default_queue_policy {
                max_queue_size: 64
                default_timeout_microseconds: 5000
                allow_timeout_override: true
              }
            }
            instance_group [ { count: 2 kind: KIND_CPU rate_limiter { priority: 1 } } ]
            optimization { graph { level: 1 } execution_accelerators { cpu_execution_accelerator: [ { name: "openvino" } ] } }
            parameters { key: "intra_op_thread_count" value: { string_value: "2" } }
            parameters { key: "inter_op_thread_count" value: { string_value: "1" } }
            model_warmup [ { name: "w" batch_size: 1 inputs { key: "data_0" value: { data_type: TYPE_FP32 dims: [3] zero_data: true } } } ]
            version_policy: { latest: { num_versions: 2 } }
            response_cache { enable: true }
            """;

    @Test
    void parse_tritonConfigWithUnknownFields_readsKnownFieldsAndSkipsTheRest() throws Exception {
        ModelConfig config = ModelConfigParser.parse(TRITON_CONFIG);

        assertEquals("densenet_onnx", config.getName());
        assertEquals(8, config.getMaxBatchSize());
        assertEquals(DataType.TYPE_FP32, config.getInput(0).getDataType());
        assertEquals(List.of(3L, 224L, 224L), config.getInput(0).getDimsList());
        assertEquals(List.of(4, 8), config.getDynamicBatching().getPreferredBatchSizeList());
        assertEquals(100, config.getDynamicBatching().getMaxQueueDelayMicroseconds());
        assertEquals(64, config.getDynamicBatching().getDefaultQueuePolicy().getMaxQueueSize());
        assertEquals(ModelInstanceGroup.Kind.KIND_CPU, config.getInstanceGroup(0).getKind());
        assertEquals(1, config.getOptimization().getGraph().getLevel());
        assertTrue(config.getResponseCache().getEnable());
    }

    @Test
    void resolve_tritonConfig_takesInstancesThreadsAndVersions() throws Exception {
        ModelSettings settings = ModelSettings.resolve("densenet_onnx", ModelConfigParser.parse(TRITON_CONFIG),
                RuntimeSettings.defaults());

        assertEquals(2, settings.instanceCount());
        assertEquals(ProviderChoice.CPU, settings.provider());
        assertEquals(2, settings.intraOpThreads());
        assertEquals(1, settings.graphLevel());
        assertEquals(VersionPolicy.Kind.LATEST, settings.versionPolicy().kind());
        assertEquals(List.of(5L, 4L), settings.versionPolicy().select(new TreeSet<>(List.of(1L, 4L, 5L))));
    }

    @Test
    void resolve_withoutThreadParameter_splitsTheNodesCpusNotTheHostsOverItsInstances() throws Exception {
        RuntimeSettings defaults = RuntimeSettings.defaults();
        RuntimeSettings sixCpus = new RuntimeSettings(defaults.executionProvider(), defaults.defaultMaxBatchSize(),
                defaults.defaultMaxQueueDelay(), defaults.defaultMaxQueueSize(), defaults.warmUp(),
                defaults.bufferPoolBytes(), 6);
        var threeInstances = ModelConfigParser.parse("instance_group [{ count: 3 kind: KIND_CPU }]");
        assertEquals(2, ModelSettings.resolve("m", threeInstances, sixCpus).intraOpThreads());
        var eightInstances = ModelConfigParser.parse("instance_group [{ count: 8 kind: KIND_CPU }]");
        assertEquals(1, ModelSettings.resolve("m", eightInstances, sixCpus).intraOpThreads(), "at least one thread");
    }

    @Test
    void resolve_otherPlatform_isRefusedWithReason() throws Exception {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ModelSettings.resolve(
                "m", ModelConfigParser.parse("platform: \"tensorrt_plan\""), RuntimeSettings.defaults()));
        assertTrue(error.getMessage().contains("tensorrt_plan"));
    }

    @Test
    void resolve_badThreadParameter_namesTheKey() throws Exception {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ModelSettings.resolve(
                "m", ModelConfigParser.parse(
                        "parameters { key: \"intra_op_thread_count\" value: { string_value: \"many\" } }"),
                RuntimeSettings.defaults()));
        assertTrue(error.getMessage().contains("intra_op_thread_count"));
    }

    @Test
    void parse_malformed_throwsWithPosition() {
        var error = assertThrows(com.google.protobuf.TextFormat.ParseException.class,
                () -> ModelConfigParser.parse("max_batch_size: \"eight\""));
        assertTrue(error.getMessage().contains("1:"), error.getMessage());
    }
}
