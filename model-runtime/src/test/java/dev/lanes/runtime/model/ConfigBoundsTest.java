package dev.lanes.runtime.model;

import dev.lanes.runtime.batch.BatchPolicy;
import dev.lanes.runtime.config.ModelConfigParser;
import dev.lanes.runtime.tensor.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every number a config.pbtxt can carry is bounded when it is read, with a message naming field and bound. */
class ConfigBoundsTest {
    /** A batchable model's tensors as ONNX Runtime would report them. */
    private static final List<TensorSpec> TENSORS = List.of(new TensorSpec("x", DataType.FP32, new long[]{-1, 4}));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "instances|instance_group [{ count: 10000 }]|instance_group count must be between 1 and 128",
            "instances over groups|instance_group [{ count: 100 }, { count: 100 }]|instances of all instance_groups",
            "intra-op threads|parameters { key: 'intra_op_thread_count' value: { string_value: '100000' } }|between 0 (default) and 256",
            "inter-op threads|parameters { key: 'inter_op_thread_count' value: { string_value: '1000' } }|between 0 (default) and 64",
            "threads in all|instance_group [{ count: 64 }] parameters { key: 'intra_op_thread_count' value: { string_value: '64' } }|more than 1024 threads",
            "batch size|max_batch_size: 100000000|max_batch_size must be between 0 and 65536",
            "negative batch size|max_batch_size: -1|max_batch_size must be between 0 and 65536",
    })
    void settings_outOfBounds_areRefusedNamingTheBound(String name, String pbtxt, String fragment) throws Exception {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ModelSettings.resolve(
                "m", ModelConfigParser.parse(pbtxt.replace('\'', '"')), RuntimeSettings.defaults()));
        assertTrue(error.getMessage().contains(fragment), error.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "queue size|default_queue_policy { max_queue_size: 1000000000 }|max_queue_size must be between 1 and 1048576",
            "queue timeout|default_queue_policy { default_timeout_microseconds: 100000000000000 }|default_timeout_microseconds must be between 0 and 3600000000",
            "queue delay|max_queue_delay_microseconds: 36000000000|max_queue_delay_microseconds must be between 0 and 10000000",
    })
    void batching_outOfBounds_isRefusedNamingTheBound(String name, String batching, String fragment) throws Exception {
        var config = ModelConfigParser.parse("max_batch_size: 8 dynamic_batching { " + batching + " }");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SignatureResolver.resolve(config, TENSORS, TENSORS, RuntimeSettings.defaults()));
        assertTrue(error.getMessage().contains(fragment), error.getMessage());
    }

    @Test
    void runtimeDefaults_outOfBounds_nameTheirKeys() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new RuntimeSettings(
                ProviderChoice.CPU, 8, Duration.ofDays(400_000), 1024, true, 0, 1));
        assertTrue(error.getMessage().contains("lanes.runtime.default-max-queue-delay"), error.getMessage());
        error = assertThrows(IllegalArgumentException.class, () -> new RuntimeSettings(
                ProviderChoice.CPU, 8, Duration.ZERO, 1 << 30, true, 0, 1));
        assertTrue(error.getMessage().contains("lanes.runtime.default-max-queue-size"), error.getMessage());
        error = assertThrows(IllegalArgumentException.class, () -> new RuntimeSettings(
                ProviderChoice.CPU, 8, Duration.ZERO, 1024, true, 0, 0));
        assertTrue(error.getMessage().contains("lanes.cpus"), error.getMessage());
    }

    @Test
    void deadline_ofAHugeTimeout_saturatesInsteadOfWrappingIntoThePast() {
        BatchPolicy policy = BatchPolicy.unbatched(8, 16);
        long now = Long.MAX_VALUE - 1000;
        assertEquals(Long.MAX_VALUE, policy.deadline(now, Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, policy.deadline(now, 1001));
        assertEquals(now + 1000, policy.deadline(now, 1000));
        assertEquals(-5 + 1000, policy.deadline(-5, 1000));
    }
}
