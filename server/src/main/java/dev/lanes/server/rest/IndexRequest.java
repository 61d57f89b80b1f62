package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.lanes.runtime.InferenceException;

import java.io.IOException;
import java.io.InputStream;

/** The optional body of Triton's repository index request: {@code {"ready": true|false}}. */
final class IndexRequest {
    private IndexRequest() {
    }

    static boolean readyOnly(InputStream body) throws IOException {
        try (JsonParser parser = InferResponseEncoder.JSON.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return false;
            }
            if (first != JsonToken.START_OBJECT) {
                throw InferenceException.invalidInput("the index request must be a JSON object");
            }
            boolean ready = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("ready")) {
                    if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
                        throw InferenceException.invalidInput("'ready' must be true or false");
                    }
                    ready = value == JsonToken.VALUE_TRUE;
                } else {
                    parser.skipChildren();
                }
            }
            return ready;
        } catch (JsonProcessingException e) {
            throw InferenceException.invalidInput("malformed JSON in index request: %s", e.getOriginalMessage());
        }
    }
}
