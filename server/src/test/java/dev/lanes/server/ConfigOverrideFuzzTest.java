package dev.lanes.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.testing.ConfigResolution;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any load API {@code config} parameter: a 400 that says why, or a configuration taken as a load
 * takes it ({@link ConfigResolution}). {@code mvn verify} runs the seeds; {@code bin/fuzz}
 * searches.
 */
class ConfigOverrideFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void anyConfigParameter_isRefusedOrLoadsAsAConfig(byte[] parameter) {
        ModelConfig config;
        try {
            config = RepositoryControl.parseOverride(new String(parameter, StandardCharsets.UTF_8));
        } catch (InferenceException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), "a refusal says why");
            return;
        }
        ConfigResolution.resolveOrRefuse(config);
    }
}
