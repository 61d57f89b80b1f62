package dev.lanes.server;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import io.grpc.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one mapping of error kinds to the wire, as docs/api.md documents it for REST and gRPC. */
class ErrorMappingTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "INVALID_INPUT,      400, INVALID_ARGUMENT,   false",
            "MODEL_NOT_FOUND,    404, NOT_FOUND,          false",
            "PAYLOAD_TOO_LARGE,  413, RESOURCE_EXHAUSTED, false",
            "MODEL_NOT_READY,    503, UNAVAILABLE,        true",
            "OVERLOADED,         503, UNAVAILABLE,        true",
            "SHUTTING_DOWN,      503, UNAVAILABLE,        true",
            "DEADLINE_EXCEEDED,  504, DEADLINE_EXCEEDED,  false",
            "CANCELLED,          499, CANCELLED,          false",
            "UNAUTHENTICATED,    401, UNAUTHENTICATED,    false",
            "PERMISSION_DENIED,  403, PERMISSION_DENIED,  false",
            "RUNTIME_FAILURE,    500, INTERNAL,           false",
    })
    void eachKind_hasItsDocumentedHttpStatusGrpcCodeAndRetryAfter(ErrorKind kind, int http, Status.Code grpc,
                                                                   boolean retryable) {
        assertEquals(http, ErrorMapping.httpStatus(kind).code());
        assertEquals(grpc, ErrorMapping.grpcCode(kind));
        assertEquals(retryable, ErrorMapping.retryable(kind));
    }

    @org.junit.jupiter.api.Test
    void anyThrowable_hasAKind_andAMessageForTheClient() {
        assertEquals(ErrorKind.INVALID_INPUT, ErrorMapping.kindOf(new java.io.IOException("reset")));
        assertEquals(ErrorKind.INVALID_INPUT, ErrorMapping.kindOf(new java.io.UncheckedIOException(
                new java.io.IOException("truncated"))));
        assertEquals("could not read the request: reset", ErrorMapping.message(new java.io.IOException("reset")));
        assertEquals(ErrorKind.RUNTIME_FAILURE, ErrorMapping.kindOf(new IllegalStateException("bug")));
        assertEquals("internal error; the node's log has the details",
                ErrorMapping.message(new IllegalStateException("bug at /srv/models/x")));
        assertEquals(Status.Code.INTERNAL, ErrorMapping.grpcError(new IllegalStateException("bug")).getStatus().getCode());
        assertEquals(ErrorKind.OVERLOADED, ErrorMapping.kindOf(new InferenceException(ErrorKind.OVERLOADED, "full")));
        assertEquals("Bearer", ErrorMapping.authenticateChallenge(ErrorKind.UNAUTHENTICATED));
        for (ErrorKind kind : ErrorKind.values()) {
            if (kind != ErrorKind.UNAUTHENTICATED) {
                assertEquals(null, ErrorMapping.authenticateChallenge(kind), kind.name());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ErrorKind.class)
    void grpcError_carriesTheKindsCode_andTheMessageAsDescription(ErrorKind kind) {
        var error = ErrorMapping.grpcError(new InferenceException(kind, "what went wrong"));
        assertEquals(ErrorMapping.grpcCode(kind), error.getStatus().getCode());
        assertEquals("what went wrong", error.getStatus().getDescription());
        assertEquals(kind.name().toLowerCase(java.util.Locale.ROOT), ErrorMapping.outcome(kind));
    }
}
