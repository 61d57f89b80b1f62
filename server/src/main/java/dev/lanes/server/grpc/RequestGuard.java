package dev.lanes.server.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Answers requests the service must not see: bytes that were not a protobuf message
 * (INVALID_ARGUMENT, see {@link MalformedRequests}) and messages over
 * {@code lanes.server.max-request-size} (RESOURCE_EXHAUSTED, as grpc-java's own servers do).
 * Helidon 4.5.0 refuses messages over its read buffer with a bare INTERNAL, so the server gives
 * Helidon a larger buffer ({@link #readBufferFor}) as a memory backstop and applies the
 * configured limit here.
 */
public final class RequestGuard implements ServerInterceptor {
    private final long maxMessageSize;

    public RequestGuard(long maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** Helidon's read buffer for a limit: room above it, so that the limit, not Helidon, decides. */
    public static int readBufferFor(long limit) {
        return (int) Math.min(Integer.MAX_VALUE - 8, 2 * limit + (1 << 20));
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                if (MalformedRequests.isMarked(message)) {
                    refuse(Status.INVALID_ARGUMENT.withDescription("the request is not a valid protobuf message for "
                            + call.getMethodDescriptor().getFullMethodName()));
                } else if (message instanceof MessageLite lite && lite.getSerializedSize() > maxMessageSize) {
                    refuse(Status.RESOURCE_EXHAUSTED.withDescription("request message of " + lite.getSerializedSize()
                            + " bytes is larger than " + maxMessageSize + " bytes, the limit"));
                } else {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }

            private void refuse(Status status) {
                refused = true;
                call.close(status, new Metadata());
            }
        };
    }
}
