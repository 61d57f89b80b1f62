package dev.lanes.runtime.config;

import com.google.protobuf.TextFormat;
import dev.lanes.runtime.config.proto.ModelConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads config.pbtxt in protobuf text format against Lanes' subset of Triton's ModelConfig.
 * Fields of Triton's config that Lanes does not know are skipped; protobuf's parser logs them
 * (logger {@code com.google.protobuf.TextFormat}, level WARNING). Anything malformed is an error
 * naming the file and position.
 */
public final class ModelConfigParser {
    private static final TextFormat.Parser PARSER = TextFormat.Parser.newBuilder()
            .setAllowUnknownFields(true)
            .build();

    private ModelConfigParser() {
    }

    public static ModelConfig parse(String text) throws TextFormat.ParseException {
        ModelConfig.Builder builder = ModelConfig.newBuilder();
        PARSER.merge(text, builder);
        return builder.build();
    }

    public static ModelConfig read(Path file) throws IOException {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (TextFormat.ParseException e) {
            throw new IOException("invalid " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }
}
