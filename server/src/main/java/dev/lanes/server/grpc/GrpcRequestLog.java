package dev.lanes.server.grpc;

import dev.lanes.server.log.AccessEntry;
import dev.lanes.server.log.AccessLog;
import dev.lanes.server.log.LogContext;
import dev.lanes.server.log.RequestIds;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The gRPC side of request ids and the access log: the client's {@code x-request-id} metadata
 * (or a new id) comes back in the response headers (in the trailers of an answer without
 * headers), every callback of the call runs with it in the {@link LogContext}, and the call's
 * method, status and duration make one access-log line when it closes.
 */
final class GrpcRequestLog implements ServerInterceptor {
    private static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of(
            RequestIds.HEADER.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER);

    private final AccessLog accessLog;

    GrpcRequestLog(AccessLog accessLog) {
        this.accessLog = accessLog;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        String id = RequestIds.accept(headers.get(REQUEST_ID));
        LogContext.Scope scope = LogContext.newScope(id);
        AtomicBoolean recorded = new AtomicBoolean();
        // once per call: closed with a status, or cancelled (grpc-java then never closes it)
        Consumer<Status> record = status -> {
            if (recorded.compareAndSet(false, true)) {
                accessLog.record(new AccessEntry("grpc", "POST", call.getMethodDescriptor().getFullMethodName(),
                        status.getCode().name(), System.nanoTime() - start, -1, id, scope.model()));
            }
        };
        ServerCall<Q, R> logged = new SimpleForwardingServerCall<>(call) {
            private volatile boolean headersSent;

            @Override
            public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(REQUEST_ID, id);
                headersSent = true;
                super.sendHeaders(responseHeaders);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (!headersSent) {
                    trailers.put(REQUEST_ID, id);
                }
                super.close(status, trailers);
                record.accept(status);
            }
        };
        ServerCall.Listener<Q> listener;
        try (LogContext.Binding bound = scope.bind()) {
            listener = next.startCall(logged, headers);
        }
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                within(() -> super.onMessage(message));
            }

            @Override
            public void onHalfClose() {
                within(super::onHalfClose);
            }

            @Override
            public void onCancel() {
                within(super::onCancel);
                record.accept(Status.CANCELLED);
            }

            @Override
            public void onComplete() {
                within(super::onComplete);
            }

            @Override
            public void onReady() {
                within(super::onReady);
            }

            private void within(Runnable callback) {
                try (LogContext.Binding bound = scope.bind()) {
                    callback.run();
                }
            }
        };
    }
}
