package dev.lanes.server.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.helidon.http.Status;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of a complete {@code {"error": "..."}} answer that closes the connection, for the front
 * door to write itself when a request cannot be handed to Helidon at all.
 */
final class DirectResponse {
    private DirectResponse() {
    }

    static byte[] error(Status status, String message) {
        byte[] body = errorBody(message);
        String head = "HTTP/1.1 " + status.code() + " " + status.reasonPhrase() + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n"
                + (status.code() == 503 ? "Retry-After: 1\r\n" : "")
                + (status.code() == 415 ? "Accept-Encoding: identity\r\n" : "") // RFC 9110 §12.5.3
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] response = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, response, 0, headBytes.length);
        System.arraycopy(body, 0, response, headBytes.length, body.length);
        return response;
    }

    /** {@code {"error": message}} as UTF-8. */
    static byte[] errorBody(String message) {
        return ("{\"error\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
