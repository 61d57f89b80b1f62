package dev.lanes.runtime.config;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import com.google.protobuf.util.JsonFormat;
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
    private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser();

    private ModelConfigParser() {
    }

    public static ModelConfig parse(String text) throws TextFormat.ParseException {
        ModelConfig.Builder builder = ModelConfig.newBuilder();
        PARSER.merge(text, builder);
        return builder.build();
    }

    /**
     * Parses the JSON form of a ModelConfig, as Triton's load API takes it in its {@code config}
     * parameter, strictly as Triton does: malformed JSON, a wrongly typed field or a field Lanes
     * does not know is an error naming it (unlike config.pbtxt, which must load unchanged, an
     * override is written for this server, and silently dropping a setting would mislead).
     */
    public static ModelConfig parseJson(String json) throws InvalidProtocolBufferException {
        ModelConfig.Builder builder = ModelConfig.newBuilder();
        JSON_PARSER.merge(json, builder);
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
