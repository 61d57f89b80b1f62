package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lanes.runtime.ErrorKind;
import dev.lanes.server.ErrorMapping;
import dev.lanes.server.http.RequestFramingException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Small JSON bodies: metadata, indexes and the V2 protocol's {@code {"error": "..."}}. */
final class JsonResponses {
    private JsonResponses() {
    }

    @FunctionalInterface
    interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    static byte[] json(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = InferResponseEncoder.JSON.createGenerator(out)) {
            body.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void send(ServerResponse res, Status status, byte[] json) {
        res.status(status);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(json);
    }

    /** Any failure as ErrorMapping maps it: status, message, and the headers its kind carries. */
    static void sendError(ServerResponse res, Throwable error) {
        ErrorKind kind = ErrorMapping.kindOf(error);
        if (ErrorMapping.retryable(kind)) {
            res.header(HeaderNames.RETRY_AFTER, ErrorMapping.RETRY_AFTER_SECONDS);
        }
        String challenge = ErrorMapping.authenticateChallenge(kind);
        if (challenge != null) {
            res.header(HeaderNames.WWW_AUTHENTICATE, challenge);
        }
        sendError(res, ErrorMapping.httpStatus(kind), ErrorMapping.message(error));
    }

    /** A body that broke HTTP framing: nothing after it can be trusted, so the answer closes the connection. */
    static void sendFramingError(ServerResponse res, RequestFramingException error) {
        res.header(HeaderValues.CONNECTION_CLOSE);
        sendError(res, error.status(), error.getMessage());
    }

    static void sendError(ServerResponse res, Status status, String message) {
        send(res, status, json(json -> {
            json.writeStartObject();
            json.writeStringField("error", message);
            json.writeEndObject();
        }));
    }
}
