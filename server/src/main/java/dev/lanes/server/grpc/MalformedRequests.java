package dev.lanes.server.grpc;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers request bytes that are not a valid protobuf message with INVALID_ARGUMENT.
 *
 * <p>grpc-java lets a marshaller's parse failure escape into its executor: the client gets
 * UNKNOWN ("Application error processing RPC") and the server logs a SEVERE stack trace for
 * every such message, which a hostile client can repeat at will. Here each request marshaller
 * turns a failed parse into a marked empty message, and the method's handler closes a call that
 * received one with INVALID_ARGUMENT before the service sees it. A message that inflates past the
 * size limit (grpc-java enforces it while decompressing, inside the parse) keeps its
 * RESOURCE_EXHAUSTED.
 */
public final class MalformedRequests {
    /** The highest protobuf field number: never used by a real message. */
    private static final int MARK_FIELD = 536_870_911;
    /** Two marks, so the two refusals are different instances (compared by identity, never by field). */
    private static final UnknownFieldSet MALFORMED = mark(Status.Code.INVALID_ARGUMENT);
    private static final UnknownFieldSet TOO_LARGE = mark(Status.Code.RESOURCE_EXHAUSTED);

    private static UnknownFieldSet mark(Status.Code code) {
        return UnknownFieldSet.newBuilder()
                .addField(MARK_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(code.value()).build())
                .build();
    }

    private MalformedRequests() {
    }

    /** The same service with lenient request parsing and the refusal on every protobuf method. */
    public static ServerServiceDefinition lenient(ServerServiceDefinition definition) {
        ServiceDescriptor original = definition.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : definition.getMethods()) {
            ServerMethodDefinition<?, ?> wrapped = wrap(method);
            descriptor.addMethod(wrapped.getMethodDescriptor());
            methods.add(wrapped);
        }
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(descriptor.build());
        for (ServerMethodDefinition<?, ?> method : methods) {
            service.addMethod(method);
        }
        return service.build();
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> ServerMethodDefinition<Q, R> wrap(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        if (!(descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> prototype)
                || !(prototype.getMessagePrototype() instanceof Message message)) {
            return method;
        }
        Q malformed = (Q) message.toBuilder().setUnknownFields(MALFORMED).build();
        Q tooLarge = (Q) message.toBuilder().setUnknownFields(TOO_LARGE).build();
        MethodDescriptor.Marshaller<Q> lenient = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Q value) {
                return prototype.stream(value);
            }

            @Override
            public Q parse(InputStream stream) {
                try {
                    return prototype.parse(stream);
                } catch (RuntimeException e) {
                    return Status.fromThrowable(e).getCode() == Status.Code.RESOURCE_EXHAUSTED ? tooLarge : malformed;
                }
            }
        };
        return ServerMethodDefinition.create(descriptor.toBuilder(lenient, descriptor.getResponseMarshaller()).build(),
                refusingMarked(method.getServerCallHandler(), malformed, tooLarge));
    }

    /**
     * Refuses the marked messages this method's parse returned, known by identity: a client may
     * send the mark's field itself, and that message is served like any other.
     */
    private static <Q, R> ServerCallHandler<Q, R> refusingMarked(ServerCallHandler<Q, R> handler, Q malformed, Q tooLarge) {
        return (call, headers) -> new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                handler.startCall(call, headers)) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                if (message == malformed || message == tooLarge) {
                    refused = true;
                    call.close(message == tooLarge
                            ? Status.RESOURCE_EXHAUSTED.withDescription("the decompressed request is larger than the"
                                    + " node's message limit (lanes.server.max-request-size)")
                            : Status.INVALID_ARGUMENT.withDescription("the request is not a valid protobuf message for "
                                    + call.getMethodDescriptor().getFullMethodName()), new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }
}
