package dev.lanes.runtime.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.TextFormat;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.testing.ConfigResolution;

import java.nio.charset.StandardCharsets;

/**
 * Any config.pbtxt text, parsed and taken as a load takes it ({@link ConfigResolution}): a parse
 * error or a reason for the index, or settings within the bounds, never another exception (which
 * the loader would report as a bare class name). {@code mvn verify} runs the seeds;
 * {@code bin/fuzz} searches.
 */
class ModelConfigParserFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void anyConfigText_loadsOrSaysWhy(byte[] file) {
        ModelConfig config;
        try {
            config = ModelConfigParser.parse(new String(file, StandardCharsets.UTF_8)); // as read() takes it
        } catch (TextFormat.ParseException malformed) {
            return;
        }
        ConfigResolution.resolveOrRefuse(config);
    }
}
