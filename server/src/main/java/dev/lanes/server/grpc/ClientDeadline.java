package dev.lanes.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

import java.util.concurrent.TimeUnit;

/**
 * Carries the client's gRPC deadline (the {@code grpc-timeout} header) into the call's context as
 * an absolute {@link System#nanoTime()} value. Helidon's gRPC server does not turn that header
 * into a context deadline itself, so without this a request could wait in the queue long after
 * its client gave up.
 */
public final class ClientDeadline implements ServerInterceptor {
    /** {@link Long#MAX_VALUE} when the client set no deadline. */
    static final Context.Key<Long> DEADLINE_NANOS = Context.keyWithDefault("lanes-client-deadline", Long.MAX_VALUE);
    private static final Metadata.Key<String> GRPC_TIMEOUT = Metadata.Key.of("grpc-timeout",
            Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        long timeout = parse(headers.get(GRPC_TIMEOUT));
        if (timeout < 0) {
            return next.startCall(call, headers);
        }
        Context context = Context.current().withValue(DEADLINE_NANOS, System.nanoTime() + timeout);
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** Nanoseconds in a grpc-timeout value (1 to 8 digits and a unit: H M S m u n), or -1. */
    static long parse(String value) {
        if (value == null || value.length() < 2 || value.length() > 9) {
            return -1;
        }
        long amount;
        try {
            amount = Long.parseLong(value.substring(0, value.length() - 1));
        } catch (NumberFormatException e) {
            return -1;
        }
        TimeUnit unit = switch (value.charAt(value.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null || amount < 0 ? -1 : unit.toNanos(amount);
    }
}
