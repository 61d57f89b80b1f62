package dev.lanes.server;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import io.helidon.http.Status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The one place that knows how a failure travels on the wire, over HTTP and gRPC: which kind any
 * throwable is ({@link #kindOf}), its status on each protocol, its message, and the headers a
 * REST answer adds (Retry-After, WWW-Authenticate). The switches are exhaustive, so a new kind
 * fails the build until it is mapped here. RestErrors and the gRPC service only write what this
 * decides.
 */
public final class ErrorMapping {
    /** Seconds a client should wait before retrying a 503. */
    public static final String RETRY_AFTER_SECONDS = "1";

    private ErrorMapping() {
    }

    public static Status httpStatus(ErrorKind kind) {
        return switch (kind) {
            case INVALID_INPUT -> Status.BAD_REQUEST_400;
            case MODEL_NOT_FOUND -> Status.NOT_FOUND_404;
            case PAYLOAD_TOO_LARGE -> Status.REQUEST_ENTITY_TOO_LARGE_413;
            case MODEL_NOT_READY, OVERLOADED, SHUTTING_DOWN -> Status.SERVICE_UNAVAILABLE_503;
            case DEADLINE_EXCEEDED -> Status.GATEWAY_TIMEOUT_504;
            // nginx's "client closed request": only ever logged or counted, the client is gone
            case CANCELLED -> Status.create(499, "Client Closed Request");
            case UNAUTHENTICATED -> Status.UNAUTHORIZED_401;
            case PERMISSION_DENIED -> Status.FORBIDDEN_403;
            case RUNTIME_FAILURE -> Status.INTERNAL_SERVER_ERROR_500;
        };
    }

    public static io.grpc.Status.Code grpcCode(ErrorKind kind) {
        return switch (kind) {
            case INVALID_INPUT -> io.grpc.Status.Code.INVALID_ARGUMENT;
            case MODEL_NOT_FOUND -> io.grpc.Status.Code.NOT_FOUND;
            case PAYLOAD_TOO_LARGE -> io.grpc.Status.Code.RESOURCE_EXHAUSTED;
            case MODEL_NOT_READY, OVERLOADED, SHUTTING_DOWN -> io.grpc.Status.Code.UNAVAILABLE;
            case DEADLINE_EXCEEDED -> io.grpc.Status.Code.DEADLINE_EXCEEDED;
            case CANCELLED -> io.grpc.Status.Code.CANCELLED;
            case UNAUTHENTICATED -> io.grpc.Status.Code.UNAUTHENTICATED;
            case PERMISSION_DENIED -> io.grpc.Status.Code.PERMISSION_DENIED;
            case RUNTIME_FAILURE -> io.grpc.Status.Code.INTERNAL;
        };
    }

    /**
     * The kind of any failure: an InferenceException says its own; a broken or malformed request
     * stream (IOException, UncheckedIOException, a framing error) is the client's input; anything
     * else is the node's own failure.
     */
    public static ErrorKind kindOf(Throwable error) {
        if (error instanceof InferenceException e) {
            return e.kind();
        }
        if (error instanceof IOException || error instanceof UncheckedIOException) {
            return ErrorKind.INVALID_INPUT;
        }
        return ErrorKind.RUNTIME_FAILURE;
    }

    /** What the client is told: an InferenceException's own words, else what kind of failure it was. */
    public static String message(Throwable error) {
        if (error instanceof InferenceException) {
            return error.getMessage();
        }
        if (kindOf(error) == ErrorKind.INVALID_INPUT) {
            return "could not read the request: " + error.getMessage();
        }
        // A defect's own message (a class name, a null, an index) means nothing to a client and may
        // tell an attacker about the node; it is logged with its stack where it was caught.
        return "internal error; the node's log has the details";
    }

    /** The gRPC status for an error, its message as the description. */
    public static io.grpc.StatusRuntimeException grpcError(Throwable error) {
        return io.grpc.Status.fromCode(grpcCode(kindOf(error))).withDescription(message(error)).asRuntimeException();
    }

    /** The WWW-Authenticate challenge a REST answer of this kind carries (RFC 6750), or null. */
    public static String authenticateChallenge(ErrorKind kind) {
        return kind == ErrorKind.UNAUTHENTICATED ? "Bearer" : null;
    }

    /** Whether the response tells the client to come back later (503 + Retry-After). */
    public static boolean retryable(ErrorKind kind) {
        return switch (kind) {
            case MODEL_NOT_READY, OVERLOADED, SHUTTING_DOWN -> true;
            case INVALID_INPUT, MODEL_NOT_FOUND, PAYLOAD_TOO_LARGE, DEADLINE_EXCEEDED, CANCELLED, UNAUTHENTICATED,
                 PERMISSION_DENIED, RUNTIME_FAILURE -> false;
        };
    }

    /** The {@code outcome} tag of {@code inference_requests_total}. */
    public static String outcome(ErrorKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
