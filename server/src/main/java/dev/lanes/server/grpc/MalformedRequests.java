package dev.lanes.server.grpc;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns request bytes that are not a valid protobuf message into an INVALID_ARGUMENT answer.
 *
 * <p>Helidon 4.5.0 logs a parse failure and leaves the call open, so the client waits until its
 * own deadline (or forever). The service's request marshallers are wrapped so that a failed parse
 * yields a marked empty message instead; {@link RequestGuard} recognises the mark and closes the
 * call with INVALID_ARGUMENT before the service sees it.
 */
public final class MalformedRequests {
    /** The highest protobuf field number: never used by a real message. */
    private static final int MARK_FIELD = 536_870_911;
    private static final UnknownFieldSet MARK = UnknownFieldSet.newBuilder()
            .addField(MARK_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
            .build();

    private MalformedRequests() {
    }

    static boolean isMarked(Object message) {
        return message instanceof Message proto && proto.getUnknownFields().hasField(MARK_FIELD);
    }

    /** The same service with lenient request parsing on every protobuf method. */
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
        Q marked = (Q) message.toBuilder().setUnknownFields(MARK).build();
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
                    return marked;
                }
            }
        };
        return ServerMethodDefinition.create(
                descriptor.toBuilder(lenient, descriptor.getResponseMarshaller()).build(), method.getServerCallHandler());
    }
}
