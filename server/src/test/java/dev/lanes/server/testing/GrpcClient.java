package dev.lanes.server.testing;

import com.google.protobuf.ByteString;
import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/** A grpc-java client over one plaintext HTTP/2 connection to a Lanes node. */
public final class GrpcClient implements AutoCloseable {
    private final ManagedChannel channel;

    public GrpcClient(int port) {
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** A stub whose calls give up after a minute, so a broken server fails a test instead of hanging it. */
    public GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub blocking() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    public GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub future() {
        return GRPCInferenceServiceGrpc.newFutureStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** A request for one input with raw little-endian contents. */
    public static ModelInferRequest.Builder rawRequest(String model, String input, String datatype, long[] shape,
                                                       byte[] raw) {
        ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(input).setDatatype(datatype);
        for (long dim : shape) {
            tensor.addShape(dim);
        }
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(tensor)
                .addRawInputContents(ByteString.copyFrom(raw));
    }

    public static float[] floats(ByteString raw) {
        float[] values = new float[raw.size() / 4];
        raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    public static byte[] floatBytes(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return buffer.array();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
