package dev.lanes.server.rest;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST decoder without a socket: JSON and the binary extension against a signature, and its refusals. */
class InferRequestDecoderTest {
    private static final ModelSignature SIGNATURE = new ModelSignature(
            List.of(new TensorSpec("x", DataType.FP32, new long[]{4}), new TensorSpec("n", DataType.INT64, new long[]{1})),
            List.of(new TensorSpec("y", DataType.FP32, new long[]{3})), 8);

    /** The request size limit the decoder knows: what a chunked body may still carry. */
    private static final long MAX_BODY = 4096;
    private static final ModelSignature TEXT = new ModelSignature(
            List.of(new TensorSpec("s", DataType.BYTES, new long[]{1})),
            List.of(new TensorSpec("y", DataType.BYTES, new long[]{1})), 8);

    private final DirectBufferPool pool = new DirectBufferPool(1 << 20);
    private final InferRequestDecoder decoder = new InferRequestDecoder(pool, 1 << 20, MAX_BODY);

    private InferRequest json(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return decoder.decode(new ByteArrayInputStream(bytes), -1, bytes.length, SIGNATURE);
    }

    private static float[] floats(Tensor tensor) {
        ByteBuffer data = tensor.data().duplicate().order(ByteOrder.nativeOrder());
        float[] values = new float[data.remaining() / 4];
        data.asFloatBuffer().get(values);
        return values;
    }

    /** Found by InferRequestDecoderFuzzTest: leading zero bytes made Jackson read UTF-32 and throw its own IOException. */
    @Test
    void bodyThatJacksonTakesForUtf32_isRefusedAsNotUtf8Json() {
        byte[] body = ("\0\0\0\0{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}")
                .getBytes(StandardCharsets.ISO_8859_1);
        InferenceException refused = assertThrows(InferenceException.class,
                () -> decoder.decode(new ByteArrayInputStream(body), -1, body.length, SIGNATURE));
        assertEquals(ErrorKind.INVALID_INPUT, refused.kind());
        assertEquals("the request is not JSON in UTF-8", refused.getMessage());
        assertEquals(0, pool.leasedBytes());
    }

    @Test
    void json_decodesInputsOutputsAndParameters() throws Exception {
        InferRequest request = json("{\"id\":\"7\",\"inputs\":["
                + "{\"name\":\"x\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[[1,2,3,4],[5,6,7,8.5]]},"
                + "{\"name\":\"n\",\"shape\":[2,1],\"datatype\":\"INT64\",\"data\":[9,10]}],"
                + "\"outputs\":[{\"name\":\"y\"}],\"parameters\":{\"timeout\":1500,\"cache_bypass\":true}}");
        try {
            assertEquals("7", request.id());
            assertEquals(2, request.inputs().tensors().size());
            assertArrayEquals(new long[]{2, 4}, request.inputs().tensors().get(0).shape());
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 7, 8.5f}, floats(request.inputs().tensors().get(0)));
            assertEquals(Set.of("y"), request.outputNames());
            assertEquals(1500, request.timeoutMicros());
            assertTrue(request.cacheBypass());
        } finally {
            request.close();
        }
    }

    @Test
    void binaryExtension_takesTheBytesAsTheyCame() throws Exception {
        String header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":16}},"
                + "{\"name\":\"n\",\"shape\":[1,1],\"datatype\":\"INT64\",\"data\":[3]}]}";
        ByteBuffer raw = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        raw.putFloat(1.5f).putFloat(-2).putFloat(0).putFloat(Float.MIN_VALUE);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(raw.array());
        byte[] bytes = body.toByteArray();
        InferRequest request = decoder.decode(new ByteArrayInputStream(bytes), header.length(), bytes.length, SIGNATURE);
        try {
            assertArrayEquals(new float[]{1.5f, -2, 0, Float.MIN_VALUE}, floats(request.inputs().tensors().get(0)));
        } finally {
            request.close();
        }
    }

    /**
     * Issue 12 item 3: without a Content-Length nothing capped binary_data_size, and a chunked
     * body of a few bytes had the node allocate 2 GiB on the heap for one BYTES input before
     * reading any of it (an OutOfMemoryError past every catch).
     */
    @Test
    void binaryExtension_chunkedBodyClaimingMoreThanTheLimit_isRefusedBeforeAllocating() {
        String header = "{\"inputs\":[{\"name\":\"s\",\"shape\":[1,1],\"datatype\":\"BYTES\","
                + "\"parameters\":{\"binary_data_size\":2147483647}}]}";
        byte[] bytes = (header + "abcd").getBytes(StandardCharsets.UTF_8);
        InferenceException error = assertThrows(InferenceException.class, () ->
                decoder.decode(new ByteArrayInputStream(bytes), header.length(), -1, TEXT));
        assertEquals(ErrorKind.PAYLOAD_TOO_LARGE, error.kind(), error.getMessage());
        assertEquals("the inputs' binary_data_size add up to more than " + (MAX_BODY - header.length())
                + " bytes, what a request may still carry after its header", error.getMessage());
        assertEquals(0, pool.leasedBytes());
    }

    @Test
    void binaryExtension_chunkedFixedSizeInputsPastTheLimitTogether_areRefused() {
        // Each input fits on its own; together they claim more than the body may carry.
        String header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[8,4],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":128}},"
                + "{\"name\":\"n\",\"shape\":[8,1],\"datatype\":\"INT64\","
                + "\"parameters\":{\"binary_data_size\":" + (MAX_BODY - 128) + "}}]}";
        byte[] bytes = header.getBytes(StandardCharsets.UTF_8);
        InferenceException error = assertThrows(InferenceException.class, () ->
                decoder.decode(new ByteArrayInputStream(bytes), header.length(), -1, SIGNATURE));
        assertEquals(ErrorKind.PAYLOAD_TOO_LARGE, error.kind(), error.getMessage());
        assertEquals(0, pool.leasedBytes());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "unknown input|{'inputs':[{'name':'z','shape':[1,4],'datatype':'FP32','data':[1,2,3,4]}]}|'z'",
            "wrong datatype|{'inputs':[{'name':'x','shape':[1,4],'datatype':'INT32','data':[1,2,3,4]}]}|datatype",
            "too few elements|{'inputs':[{'name':'x','shape':[1,4],'datatype':'FP32','data':[1,2,3]},{'name':'n','shape':[1,1],'datatype':'INT64','data':[1]}]}|x",
            "batch over max_batch_size|{'inputs':[{'name':'x','shape':[9,4],'datatype':'FP32','data':[1]}]}|max_batch_size",
            "not an object|[1,2]|JSON object",
            "bytes after the object|{'inputs':[]} []|after its JSON object",
            "binary size without its header|{'inputs':[{'name':'x','shape':[1,4],'datatype':'FP32','parameters':{'binary_data_size':16}}]}|Inference-Header-Content-Length",
            "negative timeout|{'inputs':[],'parameters':{'timeout':-1}}|timeout",
    })
    void malformedRequests_areInvalidInput_namingTheProblem(String name, String body, String fragment) {
        InferenceException error = assertThrows(InferenceException.class, () -> json(body.replace('\'', '"')));
        assertEquals(ErrorKind.INVALID_INPUT, error.kind(), error.getMessage());
        assertTrue(error.getMessage().contains(fragment), error.getMessage());
    }

    @Test
    void aFailureAfterOneInputWasDecoded_releasesThatInputsBuffer() {
        assertEquals(0, pool.retainedBytes());
        InferenceException error = assertThrows(InferenceException.class, () -> json("{\"inputs\":["
                + "{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]},"
                + "{\"name\":\"n\",\"shape\":[1,1],\"datatype\":\"INT64\",\"data\":[\"not a number\"]}]}"));
        assertEquals(ErrorKind.INVALID_INPUT, error.kind());
        assertTrue(pool.retainedBytes() >= 16, "x's buffer went back to the pool: " + pool.retainedBytes());
    }
}
