package dev.lanes.server.grpc;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.model.CheckedInputs;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.server.grpc.proto.InferTensorContents;
import dev.lanes.server.rest.InferRequestDecoderFuzzTest;
import dev.lanes.server.grpc.proto.ModelInferRequest;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any ModelInfer message (as grpc-java hands it over once it parsed; unparseable bytes are
 * answered INVALID_ARGUMENT before this) through the request → tensor mapping and the option
 * readers: tensors or Lanes' error, nothing else; no more direct memory leased than the message
 * could fill (an INT64 element may take one byte on the wire and eight in a tensor, times two for
 * the pool's power-of-two classes), every byte given back; and a valid request maps correctly
 * after it. {@code mvn verify} runs the seeds; {@code bin/fuzz} searches.
 */
class GrpcTensorsFuzzTest {
    private static final long MAX_ELEMENTS = 1 << 16;
    private static final ModelSignature SIGNATURE = InferRequestDecoderFuzzTest.SIGNATURE;
    private static final ModelInferRequest VALID = ModelInferRequest.newBuilder()
            .addInputs(GrpcTensorsTest.input("x", "FP32", 1, 4).setContents(InferTensorContents.newBuilder()
                    .addFp32Contents(1).addFp32Contents(2).addFp32Contents(3).addFp32Contents(4.5f)))
            .addInputs(GrpcTensorsTest.input("n", "INT64", 1, 2).setContents(InferTensorContents.newBuilder()
                    .addInt64Contents(7).addInt64Contents(-8)))
            .addInputs(GrpcTensorsTest.input("s", "BYTES", 1, 1).setContents(InferTensorContents.newBuilder()
                    .addBytesContents(ByteString.copyFromUtf8("ok"))))
            .build();

    @FuzzTest(maxDuration = "20s")
    void anyInferMessage_mapsOrIsRefused(byte[] message) {
        ModelInferRequest request;
        try {
            request = ModelInferRequest.parseFrom(message);
        } catch (InvalidProtocolBufferException unparseable) {
            return;
        }
        DirectBufferPool pool = new DirectBufferPool(1 << 20); // its own, so its peak is this message's
        GrpcTensors tensors = new GrpcTensors(pool, MAX_ELEMENTS);
        try {
            GrpcTensors.requestedOutputs(request);
            GrpcTensors.timeoutMicros(request);
            GrpcTensors.cacheBypass(request);
            try (CheckedInputs inputs = tensors.inputs(request, SIGNATURE)) {
                assertTrue(inputs.rows() >= 1, "mapped inputs have rows");
            }
        } catch (InferenceException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), "a refusal says why");
        }
        long leasedAtWorst = pool.peakLeasedBytes();
        assertTrue(leasedAtWorst <= 16L * message.length + 4096,
                () -> leasedAtWorst + " bytes leased for a message of " + message.length);
        assertEquals(0, pool.leasedBytes(), "every leased byte went back");
        try (CheckedInputs valid = tensors.inputs(VALID, SIGNATURE)) {
            assertEquals(4.5f, valid.tensors().get(0).data().duplicate().order(ByteOrder.nativeOrder()).getFloat(12));
            assertEquals(-8L, valid.tensors().get(1).data().duplicate().order(ByteOrder.nativeOrder()).getLong(8));
        }
    }
}
