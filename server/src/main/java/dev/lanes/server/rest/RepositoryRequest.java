package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.lanes.runtime.InferenceException;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optional body of Triton's repository load and unload requests:
 * {@code {"parameters": {"config": "<ModelConfig as JSON>", ...}}}. String values are kept; other
 * values map to null so the caller can name the parameter in its error.
 */
final class RepositoryRequest {
    private RepositoryRequest() {
    }

    static Map<String, String> parameters(InputStream body) throws IOException {
        Map<String, String> parameters = new LinkedHashMap<>();
        try (JsonParser parser = InferResponseEncoder.JSON.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return parameters;
            }
            if (first != JsonToken.START_OBJECT) {
                throw InferenceException.invalidInput("the repository request must be a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!field.equals("parameters")) {
                    parser.skipChildren();
                    continue;
                }
                if (value != JsonToken.START_OBJECT) {
                    throw InferenceException.invalidInput("'parameters' must be a JSON object");
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken parameter = parser.nextToken();
                    parameters.put(name, parameter == JsonToken.VALUE_STRING ? parser.getText() : null);
                    parser.skipChildren();
                }
            }
            return parameters;
        } catch (JsonProcessingException e) {
            throw InferenceException.invalidInput("malformed JSON in repository request: %s", e.getOriginalMessage());
        }
    }
}
