package dev.lanes.server.http;

import io.helidon.http.Status;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A request body that breaks HTTP/1.1 framing (a bad chunk, a body over the limit, a body that
 * stops or stalls), found while a handler reads it. The handler answers with {@link #status()} and
 * the message; the connection closes after that answer, since nothing after a broken body can be
 * trusted to start a request.
 */
public final class RequestFramingException extends UncheckedIOException {
    private final Status status;

    RequestFramingException(Status status, String message) {
        super(new IOException(message));
        this.status = status;
    }

    public Status status() {
        return status;
    }

    @Override
    public String getMessage() {
        return getCause().getMessage();
    }
}
