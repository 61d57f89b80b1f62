package dev.lanes.server.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Helidon's own refusals, raised before routing (a malformed query, a missing Host), answered in
 * the protocol's {@code {"error": "..."}} form instead of an empty body, and closing the
 * connection: a request Helidon could not take apart leaves nothing trustworthy behind it.
 */
public final class JsonDirectHandler implements DirectHandler {
    private JsonDirectHandler() {
    }

    /** This handler for every kind of event. */
    public static DirectHandlers forAllEvents() {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        JsonDirectHandler handler = new JsonDirectHandler();
        for (EventType type : EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        String text = message == null || message.isBlank() ? defaultStatus.reasonPhrase() : message;
        byte[] body = DirectResponse.errorBody(text);
        responseHeaders.set(HeaderValues.CONTENT_TYPE_JSON);
        return TransportResponse.builder()
                .status(defaultStatus)
                .headers(responseHeaders)
                .keepAlive(false)
                .entity(body)
                .build();
    }
}
