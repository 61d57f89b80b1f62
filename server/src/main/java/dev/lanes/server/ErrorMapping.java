package dev.lanes.server;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import io.helidon.http.Status;

import java.util.Locale;

/**
 * The one place that knows how an {@link ErrorKind} travels on the wire, over HTTP and gRPC. The switches are
 * exhaustive, so a new kind fails the build until it is mapped here.
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

    /** The gRPC status for an error, its message as the description. */
    public static io.grpc.StatusRuntimeException grpcError(InferenceException error) {
        return io.grpc.Status.fromCode(grpcCode(error.kind())).withDescription(error.getMessage()).asRuntimeException();
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
