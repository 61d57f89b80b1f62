package dev.lanes.server.rest;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.DirectBufferPool;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any body through the REST decoder, as the infer route hands it over (JSON alone, or the binary
 * extension with a header length that fits the body; with or without a Content-Length): it
 * decodes or refuses with Lanes' error, never anything else; it leases no more direct memory than
 * the body could fill (16 bytes per body byte covers an INT64 element written as one digit and a
 * comma, rounded up to the pool's power-of-two classes) and gives every byte back; and a valid
 * request decodes correctly after it. {@code mvn verify} runs the seeds; {@code bin/fuzz}
 * searches.
 */
public class InferRequestDecoderFuzzTest {
    private static final long MAX_BODY = 1 << 16;
    private static final long MAX_ELEMENTS = 1 << 16;
    /** Three inputs of different kinds (fixed, dynamic, BYTES); GrpcTensorsFuzzTest decodes against it too. */
    public static final ModelSignature SIGNATURE = new ModelSignature(List.of(
            new TensorSpec("x", DataType.FP32, new long[]{4}),
            new TensorSpec("n", DataType.INT64, new long[]{-1}),
            new TensorSpec("s", DataType.BYTES, new long[]{1})),
            List.of(new TensorSpec("y", DataType.FP32, new long[]{3})), 8);
    private static final byte[] VALID = ("{\"inputs\":["
            + "{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4.5]},"
            + "{\"name\":\"n\",\"shape\":[1,2],\"datatype\":\"INT64\",\"data\":[7,-8]},"
            + "{\"name\":\"s\",\"shape\":[1,1],\"datatype\":\"BYTES\",\"data\":[\"ok\"]}]}")
            .getBytes(StandardCharsets.UTF_8);

    @FuzzTest(maxDuration = "20s")
    void jsonBody_decodesOrIsRefused(FuzzedDataProvider data) {
        boolean chunked = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        decodeOrRefuse(body, -1, chunked);
    }

    @FuzzTest(maxDuration = "20s")
    void binaryExtensionBody_decodesOrIsRefused(FuzzedDataProvider data) {
        boolean chunked = data.consumeBoolean();
        int headerLength = data.consumeInt(0, 4096);
        byte[] body = data.consumeRemainingAsBytes();
        decodeOrRefuse(body, Math.min(headerLength, body.length), chunked);
    }

    private void decodeOrRefuse(byte[] body, long headerLength, boolean chunked) {
        byte[] bounded = Arrays.copyOf(body, (int) Math.min(body.length, MAX_BODY)); // the route's limit
        DirectBufferPool pool = new DirectBufferPool(1 << 20); // its own, so its peak is this body's
        InferRequestDecoder decoder = new InferRequestDecoder(pool, MAX_ELEMENTS, MAX_BODY);
        try (InferRequest request = decoder.decode(new ByteArrayInputStream(bounded), headerLength,
                chunked ? -1 : bounded.length, SIGNATURE)) {
            assertTrue(request.inputs().rows() >= 1, "a decoded request has rows");
        } catch (InferenceException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank(), "a refusal says why");
        } catch (IOException e) {
            throw new AssertionError("only Lanes' error may leave the decoder", e);
        }
        long leasedAtWorst = pool.peakLeasedBytes();
        assertTrue(leasedAtWorst <= 16L * bounded.length + 4096,
                () -> leasedAtWorst + " bytes leased for a body of " + bounded.length);
        assertEquals(0, pool.leasedBytes(), "every leased byte went back");
        checkAValidRequestStillDecodes(decoder);
    }

    private static void checkAValidRequestStillDecodes(InferRequestDecoder decoder) {
        try (InferRequest request = decoder.decode(new ByteArrayInputStream(VALID), -1, VALID.length, SIGNATURE)) {
            var x = request.inputs().tensors().get(0).data().duplicate().order(ByteOrder.nativeOrder());
            assertEquals(4.5f, x.getFloat(12));
            var n = request.inputs().tensors().get(1).data().duplicate().order(ByteOrder.nativeOrder());
            assertEquals(-8L, n.getLong(8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
