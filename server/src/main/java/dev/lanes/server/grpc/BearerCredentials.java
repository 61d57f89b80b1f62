package dev.lanes.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Carries the call's {@code authorization} metadata into its context, where the service checks it
 * against the management token for the calls that need one.
 */
public final class BearerCredentials implements ServerInterceptor {
    /** The metadata value, or null when the client sent none. */
    static final Context.Key<String> AUTHORIZATION = Context.key("lanes-authorization");
    private static final Metadata.Key<String> HEADER = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String authorization = headers.get(HEADER);
        if (authorization == null) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(AUTHORIZATION, authorization), call, headers, next);
    }
}
