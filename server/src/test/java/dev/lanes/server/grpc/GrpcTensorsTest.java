package dev.lanes.server.grpc;

import com.google.protobuf.ByteString;
import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.BytesElements;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.server.grpc.proto.InferParameter;
import dev.lanes.server.grpc.proto.InferTensorContents;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ModelInfer's tensor codec without a server: typed contents (FP32, INT32, INT64, BOOL, BYTES, the
 * narrow integers, FP64) and {@code raw_input_contents} decoded against a signature built in the
 * test, raw and typed giving the same bytes, inputs returned in signature order; the refusals with
 * messages naming the input (raw entries per input, contents beside raw, byte length and element
 * count against the shape, unknown datatype or input, datatype and shape mismatches, a missing,
 * repeated or batch-disagreeing input, out-of-range narrow integers, FP16 and unsupported types in
 * contents, the element limit, bad BYTES), each leaving nothing leased from the pool; the
 * {@code outputs}, {@code timeout} and {@code cache_bypass} request fields; and the response's
 * {@code raw_output_contents} carrying exactly the output tensors' bytes, names, datatypes and shapes.
 */
class GrpcTensorsTest {
    private final DirectBufferPool pool = new DirectBufferPool(1 << 20);
    private final GrpcTensors tensors = new GrpcTensors(pool, 1 << 20);

    @AfterEach
    void everyDecodedBufferWentBackToThePool() {
        assertEquals(0, pool.leasedBytes(), "bytes still leased after the test");
    }

    /** The one place that knows what {@code inputs(...)} returns: the checked inputs, in signature order. */
    private List<Tensor> decode(ModelInferRequest request, ModelSignature signature) {
        return tensors.inputs(request, signature).tensors();
    }

    private static void closeAll(List<Tensor> decoded) {
        decoded.forEach(Tensor::close);
    }

    /** One decoded input, copied out so the tensor can be closed at once. */
    private record Decoded(String name, DataType type, long[] shape, byte[] data) {
    }

    private Decoded decodeOne(ModelInferRequest request, ModelSignature signature) {
        List<Tensor> decoded = decode(request, signature);
        try {
            assertEquals(1, decoded.size());
            Tensor tensor = decoded.get(0);
            return new Decoded(tensor.name(), tensor.dataType(), tensor.shape(), bytes(tensor));
        } finally {
            closeAll(decoded);
        }
    }

    private InferenceException refused(ModelInferRequest request, ModelSignature signature) {
        InferenceException error = assertThrows(InferenceException.class, () -> closeAll(decode(request, signature)));
        assertEquals(ErrorKind.INVALID_INPUT, error.kind(), error.getMessage());
        assertEquals(0, pool.leasedBytes(), "a refused decode leaves nothing leased");
        return error;
    }

    private static ModelSignature signature(TensorSpec... inputs) {
        return new ModelSignature(List.of(inputs), List.of(new TensorSpec("out", DataType.FP32, new long[]{1})), 0);
    }

    private static TensorSpec spec(String name, DataType type, long... dims) {
        return new TensorSpec(name, type, dims);
    }

    /** An input tensor of name, datatype and shape; its contents are the caller's (shared with GrpcTensorsFuzzTest). */
    static ModelInferRequest.InferInputTensor.Builder input(String name, String datatype, long... shape) {
        ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(name).setDatatype(datatype);
        for (long dim : shape) {
            input.addShape(dim);
        }
        return input;
    }

    private static ModelInferRequest.Builder requestWith(ModelInferRequest.InferInputTensor.Builder... inputs) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("m");
        for (ModelInferRequest.InferInputTensor.Builder input : inputs) {
            request.addInputs(input);
        }
        return request;
    }

    private static ByteBuffer nativeBuffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    private static byte[] bytes(Tensor tensor) {
        return bytes(tensor.data());
    }

    // ---- typed contents ----

    @Test
    void fp32Contents_decodeToNativeOrderFloatsWithTheirShape_inAPooledBuffer() {
        ModelSignature signature = signature(spec("f", DataType.FP32, 2, 2));
        ModelInferRequest request = requestWith(input("f", "FP32", 2, 2).setContents(InferTensorContents.newBuilder()
                .addFp32Contents(1.5f).addFp32Contents(-2f).addFp32Contents(-0.0f).addFp32Contents(Float.MAX_VALUE))).build();
        List<Tensor> decoded = decode(request, signature);
        try {
            assertEquals(1, decoded.size());
            Tensor tensor = decoded.get(0);
            assertEquals("f", tensor.name());
            assertEquals(DataType.FP32, tensor.dataType());
            assertArrayEquals(new long[]{2, 2}, tensor.shape());
            assertArrayEquals(bytes(nativeBuffer(16).putFloat(1.5f).putFloat(-2f).putFloat(-0.0f).putFloat(Float.MAX_VALUE).flip()),
                    bytes(tensor));
            assertTrue(pool.leasedBytes() >= 16, "the data lives in a buffer leased from the pool");
        } finally {
            closeAll(decoded);
        }
        assertEquals(0, pool.leasedBytes(), "closing the tensor gives its buffer back");
    }

    @Test
    void int32Contents_keepTheirExtremes() {
        Decoded decoded = decodeOne(requestWith(input("i", "INT32", 3).setContents(InferTensorContents.newBuilder()
                .addIntContents(Integer.MIN_VALUE).addIntContents(-7).addIntContents(Integer.MAX_VALUE))).build(),
                signature(spec("i", DataType.INT32, 3)));
        assertEquals(DataType.INT32, decoded.type());
        assertArrayEquals(new long[]{3}, decoded.shape());
        assertArrayEquals(bytes(nativeBuffer(12).putInt(Integer.MIN_VALUE).putInt(-7).putInt(Integer.MAX_VALUE).flip()),
                decoded.data());
    }

    @Test
    void int64Contents_keepLongMinAndMax() {
        Decoded decoded = decodeOne(requestWith(input("l", "INT64", 2).setContents(InferTensorContents.newBuilder()
                .addInt64Contents(Long.MIN_VALUE).addInt64Contents(Long.MAX_VALUE))).build(),
                signature(spec("l", DataType.INT64, 2)));
        assertEquals(DataType.INT64, decoded.type());
        assertArrayEquals(bytes(nativeBuffer(16).putLong(Long.MIN_VALUE).putLong(Long.MAX_VALUE).flip()), decoded.data());
    }

    @Test
    void boolContents_areOneByteEach() {
        Decoded decoded = decodeOne(requestWith(input("b", "BOOL", 1, 3).setContents(InferTensorContents.newBuilder()
                .addBoolContents(true).addBoolContents(false).addBoolContents(true))).build(),
                signature(spec("b", DataType.BOOL, 1, 3)));
        assertArrayEquals(new long[]{1, 3}, decoded.shape());
        assertArrayEquals(new byte[]{1, 0, 1}, decoded.data());
    }

    @Test
    void bytesContents_becomeLittleEndianLengthPrefixedElements() {
        String longElement = "x".repeat(300); // 300 = 0x012C: the length needs two prefix bytes
        Decoded decoded = decodeOne(requestWith(input("s", "BYTES", 3).setContents(InferTensorContents.newBuilder()
                .addBytesContents(ByteString.copyFromUtf8("ab")).addBytesContents(ByteString.EMPTY)
                .addBytesContents(ByteString.copyFromUtf8(longElement)))).build(),
                signature(spec("s", DataType.BYTES, 3)));
        assertEquals(DataType.BYTES, decoded.type());
        ByteBuffer expected = littleEndian(4 + 2 + 4 + 4 + 300).putInt(2).put(new byte[]{'a', 'b'}).putInt(0)
                .putInt(300).put(longElement.getBytes(StandardCharsets.US_ASCII)).flip();
        assertArrayEquals(bytes(expected), decoded.data());
        assertArrayEquals(new byte[]{0x2C, 0x01, 0, 0}, new byte[]{decoded.data()[10], decoded.data()[11],
                decoded.data()[12], decoded.data()[13]});
    }

    @Test
    void narrowIntegerAndFp64Contents_areStoredInTheirOwnWidth() {
        ModelSignature signature = signature(spec("i8", DataType.INT8, 2), spec("i16", DataType.INT16, 2),
                spec("u8", DataType.UINT8, 2), spec("d", DataType.FP64, 2));
        ModelInferRequest request = requestWith(
                input("i8", "INT8", 2).setContents(InferTensorContents.newBuilder().addIntContents(-128).addIntContents(127)),
                input("i16", "INT16", 2).setContents(InferTensorContents.newBuilder()
                        .addIntContents(Short.MIN_VALUE).addIntContents(Short.MAX_VALUE)),
                input("u8", "UINT8", 2).setContents(InferTensorContents.newBuilder().addUintContents(0).addUintContents(255)),
                input("d", "FP64", 2).setContents(InferTensorContents.newBuilder().addFp64Contents(0.1).addFp64Contents(-2)))
                .build();
        List<Tensor> decoded = decode(request, signature);
        try {
            assertEquals(List.of("i8", "i16", "u8", "d"), decoded.stream().map(Tensor::name).toList());
            assertArrayEquals(new byte[]{-128, 127}, bytes(decoded.get(0)));
            assertArrayEquals(bytes(nativeBuffer(4).putShort(Short.MIN_VALUE).putShort(Short.MAX_VALUE).flip()),
                    bytes(decoded.get(1)));
            assertArrayEquals(new byte[]{0, (byte) 255}, bytes(decoded.get(2)));
            assertArrayEquals(bytes(nativeBuffer(16).putDouble(0.1).putDouble(-2).flip()), bytes(decoded.get(3)));
        } finally {
            closeAll(decoded);
        }
    }

    // ---- raw_input_contents ----

    @Test
    void rawFp32_decodesToTheSameTensorAsTypedContents() {
        ModelSignature signature = signature(spec("f", DataType.FP32, 2, 2));
        float[] values = {1.5f, -2f, 0.1f, Float.MIN_VALUE};
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        ByteBuffer raw = littleEndian(16);
        for (float value : values) {
            contents.addFp32Contents(value);
            raw.putFloat(value);
        }
        Decoded typed = decodeOne(requestWith(input("f", "FP32", 2, 2).setContents(contents)).build(), signature);
        Decoded fromRaw = decodeOne(requestWith(input("f", "FP32", 2, 2))
                .addRawInputContents(ByteString.copyFrom(bytes(raw.flip()))).build(), signature);
        assertEquals("f", fromRaw.name());
        assertEquals(DataType.FP32, fromRaw.type());
        assertArrayEquals(new long[]{2, 2}, fromRaw.shape());
        assertArrayEquals(typed.data(), fromRaw.data());
    }

    @Test
    void rawIntegersAndBool_decodeToTheSameBytesAsTypedContents() {
        ModelSignature signature = signature(spec("i", DataType.INT32, 2), spec("l", DataType.INT64, 2),
                spec("b", DataType.BOOL, 2));
        List<Tensor> typed = decode(requestWith(
                input("i", "INT32", 2).setContents(InferTensorContents.newBuilder().addIntContents(-1).addIntContents(1 << 20)),
                input("l", "INT64", 2).setContents(InferTensorContents.newBuilder()
                        .addInt64Contents(Long.MIN_VALUE).addInt64Contents(5)),
                input("b", "BOOL", 2).setContents(InferTensorContents.newBuilder().addBoolContents(false).addBoolContents(true)))
                .build(), signature);
        List<Tensor> raw = new ArrayList<>();
        try {
            raw.addAll(decode(requestWith(input("i", "INT32", 2), input("l", "INT64", 2), input("b", "BOOL", 2))
                    .addRawInputContents(ByteString.copyFrom(bytes(littleEndian(8).putInt(-1).putInt(1 << 20).flip())))
                    .addRawInputContents(ByteString.copyFrom(bytes(littleEndian(16).putLong(Long.MIN_VALUE).putLong(5).flip())))
                    .addRawInputContents(ByteString.copyFrom(new byte[]{0, 1}))
                    .build(), signature));
            assertEquals(3, raw.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(typed.get(i).name(), raw.get(i).name());
                assertEquals(typed.get(i).dataType(), raw.get(i).dataType());
                assertArrayEquals(typed.get(i).shape(), raw.get(i).shape());
                assertArrayEquals(bytes(typed.get(i)), bytes(raw.get(i)), typed.get(i).name());
            }
        } finally {
            closeAll(typed);
            closeAll(raw);
        }
    }

    @Test
    void rawBytes_decodeToTheSameTensorAsTypedContents() {
        ModelSignature signature = signature(spec("s", DataType.BYTES, 2));
        Decoded typed = decodeOne(requestWith(input("s", "BYTES", 2).setContents(InferTensorContents.newBuilder()
                .addBytesContents(ByteString.copyFromUtf8("grüße")).addBytesContents(ByteString.EMPTY))).build(), signature);
        byte[] serialized = bytes(BytesElements.fromStrings(new String[]{"grüße", ""}, 0, 2));
        Decoded fromRaw = decodeOne(requestWith(input("s", "BYTES", 2)).addRawInputContents(ByteString.copyFrom(serialized))
                .build(), signature);
        assertArrayEquals(serialized, fromRaw.data());
        assertArrayEquals(typed.data(), fromRaw.data());
    }

    @Test
    void rawFp16_isTakenAsItCame() {
        byte[] raw = bytes(littleEndian(4).putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-2f)).flip());
        Decoded decoded = decodeOne(requestWith(input("h", "FP16", 2)).addRawInputContents(ByteString.copyFrom(raw)).build(),
                signature(spec("h", DataType.FP16, 2)));
        assertEquals(DataType.FP16, decoded.type());
        assertArrayEquals(raw, decoded.data());
    }

    // ---- refusals ----

    @Test
    void rawEntriesNotOnePerInput_areRefused() {
        ModelSignature signature = signature(spec("a", DataType.FP32, 1), spec("b", DataType.FP32, 1));
        assertEquals("raw_input_contents has 1 entries for 2 inputs", refused(requestWith(
                input("a", "FP32", 1), input("b", "FP32", 1)).addRawInputContents(ByteString.copyFrom(new byte[4])).build(),
                signature).getMessage());
        assertEquals("raw_input_contents has 2 entries for 1 inputs", refused(requestWith(input("a", "FP32", 1))
                .addRawInputContents(ByteString.copyFrom(new byte[4])).addRawInputContents(ByteString.copyFrom(new byte[4]))
                .build(), signature(spec("a", DataType.FP32, 1))).getMessage());
    }

    @Test
    void contentsBesideRawInputContents_areRefused() {
        ModelSignature signature = signature(spec("f", DataType.FP32, 1));
        InferenceException error = refused(requestWith(input("f", "FP32", 1)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1f)))
                .addRawInputContents(ByteString.copyFrom(new byte[4])).build(), signature);
        assertEquals("input 'f' has contents although the request uses raw_input_contents", error.getMessage());
    }

    @Test
    void rawByteLengthNotMatchingTheShape_isRefused() {
        ModelSignature signature = signature(spec("f", DataType.FP32, 2, 2));
        assertEquals("input 'f' has 12 bytes of raw contents but shape [2, 2] of FP32 needs 16",
                refused(requestWith(input("f", "FP32", 2, 2)).addRawInputContents(ByteString.copyFrom(new byte[12])).build(),
                        signature).getMessage());
        assertEquals("input 'f' has 20 bytes of raw contents but shape [2, 2] of FP32 needs 16",
                refused(requestWith(input("f", "FP32", 2, 2)).addRawInputContents(ByteString.copyFrom(new byte[20])).build(),
                        signature).getMessage());
    }

    @Test
    void contentsElementCountNotMatchingTheShape_isRefused() {
        ModelSignature signature = signature(spec("f", DataType.FP32, 2, 2));
        assertEquals("input 'f' has 3 elements in contents but its shape [2, 2] needs 4",
                refused(requestWith(input("f", "FP32", 2, 2).setContents(InferTensorContents.newBuilder()
                        .addFp32Contents(1).addFp32Contents(2).addFp32Contents(3))).build(), signature).getMessage());
        assertEquals("input 'f' has 5 elements in contents but its shape [2, 2] needs 4",
                refused(requestWith(input("f", "FP32", 2, 2).setContents(InferTensorContents.newBuilder()
                        .addFp32Contents(1).addFp32Contents(2).addFp32Contents(3).addFp32Contents(4).addFp32Contents(5)))
                        .build(), signature).getMessage());
    }

    @Test
    void contentsInAnotherTypesField_orNoDataAtAll_countAsNoElements() {
        ModelSignature signature = signature(spec("l", DataType.INT64, 2));
        assertEquals("input 'l' has 0 elements in contents but its shape [2] needs 2",
                refused(requestWith(input("l", "INT64", 2).setContents(InferTensorContents.newBuilder()
                        .addIntContents(1).addIntContents(2))).build(), signature).getMessage());
        assertEquals("input 'l' has 0 elements in contents but its shape [2] needs 2",
                refused(requestWith(input("l", "INT64", 2)).build(), signature).getMessage());
    }

    @Test
    void anUnknownDatatypeString_isRefusedNamingIt() {
        ModelSignature signature = signature(spec("f", DataType.FP32, 1));
        assertEquals("input 'f' has invalid datatype 'FLOAT32'",
                refused(requestWith(input("f", "FLOAT32", 1)).build(), signature).getMessage());
        assertEquals("input 'f' has invalid datatype 'fp32'",
                refused(requestWith(input("f", "fp32", 1)).build(), signature).getMessage());
    }

    @Test
    void anInputTheSignatureDoesNotHave_isRefusedListingTheExpectedOnes() {
        assertEquals("unexpected inference input 'nope' for model; expected [f]",
                refused(requestWith(input("nope", "FP32", 1).setContents(InferTensorContents.newBuilder().addFp32Contents(1)))
                        .build(), signature(spec("f", DataType.FP32, 1))).getMessage());
    }

    @Test
    void aDatatypeOrShapeTheSignatureDoesNotHave_isRefused() {
        ModelSignature signature = signature(spec("f", DataType.FP32, 2, 2));
        assertEquals("input 'f' has datatype INT32, the model expects FP32",
                refused(requestWith(input("f", "INT32", 2, 2)).build(), signature).getMessage());
        assertEquals("input 'f' has shape [2, 3], the model expects [2, 2]",
                refused(requestWith(input("f", "FP32", 2, 3)).build(), signature).getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "INT8,  300,    300",
            "INT8,  -129,   -129",
            "INT16, 32768,  32768",
            "INT16, -32769, -32769",
            "UINT8, 256,    256",
            "UINT8, -1,     4294967295",
    })
    void narrowIntegersOutOfRange_areRefused_andThePartlyFilledBufferGoesBack(DataType type, int value, String shown) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        if (type == DataType.UINT8) {
            contents.addUintContents(1).addUintContents(value);
        } else {
            contents.addIntContents(1).addIntContents(value);
        }
        InferenceException error = refused(requestWith(input("v", type.name(), 2).setContents(contents)).build(),
                signature(spec("v", type, 2)));
        assertEquals("input 'v': " + shown + " is out of range for " + type, error.getMessage());
    }

    @Test
    void halfPrecisionInTypedContents_isRefused() {
        assertEquals("input 'h': FP16 data must be sent in raw_input_contents",
                refused(requestWith(input("h", "FP16", 1).setContents(InferTensorContents.newBuilder().addFp32Contents(1)))
                        .build(), signature(spec("h", DataType.FP16, 1))).getMessage());
        assertEquals("input 'h': BF16 data must be sent in raw_input_contents",
                refused(requestWith(input("h", "BF16", 1).setContents(InferTensorContents.newBuilder().addFp32Contents(1)))
                        .build(), signature(spec("h", DataType.BF16, 1))).getMessage());
    }

    @Test
    void uint32InTypedContents_isRefusedAsUnsupported() {
        assertEquals("input 'u': datatype UINT32 is not supported",
                refused(requestWith(input("u", "UINT32", 1).setContents(InferTensorContents.newBuilder().addUintContents(-1)))
                        .build(), signature(spec("u", DataType.UINT32, 1))).getMessage());
    }

    @Test
    void moreElementsThanTheLimit_isTooLarge_beforeAnythingIsAllocated() {
        GrpcTensors small = new GrpcTensors(pool, 100);
        InferenceException error = assertThrows(InferenceException.class, () -> small.inputs(
                requestWith(input("x", "FP32", 101)).build(), signature(spec("x", DataType.FP32, -1))));
        assertEquals(ErrorKind.PAYLOAD_TOO_LARGE, error.kind());
        assertEquals("input 'x' with shape [101] has more than 100 elements, the limit", error.getMessage());
        assertEquals(0, pool.leasedBytes());
    }

    @Test
    void aNegativeDimension_isRefused() {
        assertEquals("input 'x' has invalid shape [-1]: dimensions must be >= 0",
                refused(requestWith(input("x", "FP32", -1)).build(), signature(spec("x", DataType.FP32, -1))).getMessage());
    }

    @Test
    void bytesThatAreNotUtf8OrDoNotFormTheShapesElements_areRefused() {
        ModelSignature signature = signature(spec("s", DataType.BYTES, 2));
        InferenceException notUtf8 = refused(requestWith(input("s", "BYTES", 2).setContents(InferTensorContents.newBuilder()
                .addBytesContents(ByteString.copyFromUtf8("ok"))
                .addBytesContents(ByteString.copyFrom(new byte[]{(byte) 0xff, (byte) 0xfe})))).build(), signature);
        assertTrue(notUtf8.getMessage().startsWith("input 's': BYTES element 1 is not valid UTF-8"), notUtf8.getMessage());
        assertEquals("input 's': BYTES data holds 1 elements, the shape needs 2",
                refused(requestWith(input("s", "BYTES", 2)).addRawInputContents(ByteString.copyFrom(new byte[]{1, 0, 0, 0, 'a'}))
                        .build(), signature).getMessage());
        assertEquals("input 's': BYTES element 0 declares 9 bytes but only 2 remain",
                refused(requestWith(input("s", "BYTES", 2)).addRawInputContents(ByteString.copyFrom(new byte[]{9, 0, 0, 0, 'a', 'b'}))
                        .build(), signature).getMessage());
    }

    @Test
    void aLaterInputsRefusal_releasesTheEarlierInputsBuffer() {
        ModelSignature signature = signature(spec("f", DataType.FP32, 2, 2), spec("v", DataType.INT8, 2));
        InferenceException typed = refused(requestWith(
                input("f", "FP32", 2, 2).setContents(InferTensorContents.newBuilder()
                        .addFp32Contents(1).addFp32Contents(2).addFp32Contents(3).addFp32Contents(4)),
                input("v", "INT8", 2).setContents(InferTensorContents.newBuilder().addIntContents(1).addIntContents(300)))
                .build(), signature);
        assertEquals("input 'v': 300 is out of range for INT8", typed.getMessage());
        InferenceException raw = refused(requestWith(input("f", "FP32", 2, 2), input("v", "INT8", 2))
                .addRawInputContents(ByteString.copyFrom(new byte[16])).addRawInputContents(ByteString.copyFrom(new byte[3]))
                .build(), signature);
        assertEquals("input 'v' has 3 bytes of raw contents but shape [2] of INT8 needs 2", raw.getMessage());
    }

    @Test
    void inputsGivenOutOfOrder_comeBackInSignatureOrder() {
        ModelSignature signature = signature(spec("a", DataType.FP32, 1), spec("b", DataType.INT64, 1));
        List<Tensor> decoded = decode(requestWith(
                input("b", "INT64", 1).setContents(InferTensorContents.newBuilder().addInt64Contents(9)),
                input("a", "FP32", 1).setContents(InferTensorContents.newBuilder().addFp32Contents(0.5f))).build(), signature);
        try {
            assertEquals(List.of("a", "b"), decoded.stream().map(Tensor::name).toList());
            assertArrayEquals(bytes(nativeBuffer(4).putFloat(0.5f).flip()), bytes(decoded.get(0)));
            assertArrayEquals(bytes(nativeBuffer(8).putLong(9).flip()), bytes(decoded.get(1)));
        } finally {
            closeAll(decoded);
        }
    }

    @Test
    void aMissingInput_isRefusedNamingIt_andReleasesTheDecodedOnes() {
        ModelSignature signature = signature(spec("a", DataType.FP32, 2), spec("b", DataType.FP32, 2));
        InferenceException error = refused(requestWith(input("a", "FP32", 2).setContents(
                InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2))).build(), signature);
        assertEquals("expected 2 inputs but got 1 inputs; missing input 'b'", error.getMessage());
    }

    @Test
    void anInputGivenTwice_isRefused_andReleasesBoth() {
        ModelSignature signature = signature(spec("a", DataType.FP32, 2));
        InferTensorContents.Builder contents = InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2);
        InferenceException error = refused(requestWith(input("a", "FP32", 2).setContents(contents),
                input("a", "FP32", 2).setContents(contents)).build(), signature);
        assertEquals("input 'a' is given more than once", error.getMessage());
    }

    @Test
    void inBatchingModel_inputsDisagreeingOnTheBatchSize_areRefused() {
        ModelSignature batching = new ModelSignature(List.of(spec("a", DataType.FP32, 2), spec("b", DataType.INT64, 1)),
                List.of(spec("out", DataType.FP32, 1)), 4);
        InferenceException error = refused(requestWith(input("a", "FP32", 2, 2), input("b", "INT64", 3, 1))
                .addRawInputContents(ByteString.copyFrom(new byte[16])).addRawInputContents(ByteString.copyFrom(new byte[24]))
                .build(), batching);
        assertEquals("input 'b' has batch size 3 but input 'a' has 2", error.getMessage());
        List<Tensor> decoded = decode(requestWith(input("a", "FP32", 3, 2), input("b", "INT64", 3, 1))
                .addRawInputContents(ByteString.copyFrom(new byte[24])).addRawInputContents(ByteString.copyFrom(new byte[24]))
                .build(), batching);
        try {
            assertArrayEquals(new long[]{3, 2}, decoded.get(0).shape());
            assertArrayEquals(new long[]{3, 1}, decoded.get(1).shape());
        } finally {
            closeAll(decoded);
        }
    }

    // ---- request fields ----

    @Test
    void requestedOutputs_areTheNamesInRequestOrder() {
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("z"))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("y")
                        .putParameters("binary_data", InferParameter.newBuilder().setBoolParam(true).build()))
                .build();
        assertEquals(List.of("z", "y"), List.copyOf(GrpcTensors.requestedOutputs(request)));
        assertEquals(Set.of(), GrpcTensors.requestedOutputs(ModelInferRequest.getDefaultInstance()));
    }

    @Test
    void requestedOutputs_refuseTheClassificationExtension() {
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("y")
                        .putParameters("classification", InferParameter.newBuilder().setInt64Param(3).build()))
                .build();
        InferenceException error = assertThrows(InferenceException.class, () -> GrpcTensors.requestedOutputs(request));
        assertEquals(ErrorKind.INVALID_INPUT, error.kind());
        assertEquals("the classification extension is not supported", error.getMessage());
    }

    private static ModelInferRequest withParameter(String name, InferParameter value) {
        return ModelInferRequest.newBuilder().putParameters(name, value).build();
    }

    @Test
    void timeout_isMicrosecondsFromInt64OrUint64_andZeroWhenAbsent() {
        assertEquals(0, GrpcTensors.timeoutMicros(ModelInferRequest.getDefaultInstance()));
        assertEquals(1500, GrpcTensors.timeoutMicros(withParameter("timeout", InferParameter.newBuilder().setInt64Param(1500).build())));
        assertEquals(0, GrpcTensors.timeoutMicros(withParameter("timeout", InferParameter.newBuilder().setInt64Param(0).build())));
        assertEquals(2500, GrpcTensors.timeoutMicros(withParameter("timeout", InferParameter.newBuilder().setUint64Param(2500).build())));
    }

    @Test
    void timeout_aUint64PastLongMax_isTheLongestTimeoutNotANegativeOne() {
        assertEquals(Long.MAX_VALUE, GrpcTensors.timeoutMicros(
                withParameter("timeout", InferParameter.newBuilder().setUint64Param(-1L).build())));
        assertEquals(Long.MAX_VALUE, GrpcTensors.timeoutMicros(
                withParameter("timeout", InferParameter.newBuilder().setUint64Param(Long.MIN_VALUE).build())));
    }

    @Test
    void timeout_negativeOrNotAnInteger_isRefused() {
        List<InferParameter> bad = List.of(
                InferParameter.newBuilder().setInt64Param(-1).build(),
                InferParameter.newBuilder().setStringParam("soon").build(),
                InferParameter.newBuilder().setDoubleParam(1.5).build(),
                InferParameter.newBuilder().setBoolParam(true).build(),
                InferParameter.getDefaultInstance());
        for (InferParameter value : bad) {
            InferenceException error = assertThrows(InferenceException.class,
                    () -> GrpcTensors.timeoutMicros(withParameter("timeout", value)), value.toString());
            assertEquals(ErrorKind.INVALID_INPUT, error.kind());
            assertEquals("parameter 'timeout' must be a non-negative integer (microseconds)", error.getMessage());
        }
    }

    @Test
    void cacheBypass_isTheBoolParameter_falseWhenAbsent() {
        assertFalse(GrpcTensors.cacheBypass(ModelInferRequest.getDefaultInstance()));
        assertTrue(GrpcTensors.cacheBypass(withParameter("cache_bypass", InferParameter.newBuilder().setBoolParam(true).build())));
        assertFalse(GrpcTensors.cacheBypass(withParameter("cache_bypass", InferParameter.newBuilder().setBoolParam(false).build())));
    }

    @Test
    void cacheBypass_thatIsNotABool_isRefused() {
        for (InferParameter value : List.of(InferParameter.newBuilder().setInt64Param(1).build(),
                InferParameter.newBuilder().setStringParam("true").build())) {
            InferenceException error = assertThrows(InferenceException.class,
                    () -> GrpcTensors.cacheBypass(withParameter("cache_bypass", value)), value.toString());
            assertEquals(ErrorKind.INVALID_INPUT, error.kind());
            assertEquals("parameter 'cache_bypass' must be a bool", error.getMessage());
        }
    }

    // ---- response ----

    @Test
    void response_carriesEachOutputsBytesInRawOutputContents_withItsNameDatatypeAndShape() {
        Tensor y = Tensor.of("y", DataType.FP32, new long[]{2, 2},
                nativeBuffer(16).putFloat(1).putFloat(-2.5f).putFloat(0).putFloat(Float.MAX_VALUE).flip());
        Tensor s = Tensor.of("s", DataType.BYTES, new long[]{2}, BytesElements.fromStrings(new String[]{"ab", ""}, 0, 2));
        // An output view over part of a larger (batch) buffer: only the view's bytes are sent.
        ByteBuffer batch = ByteBuffer.allocateDirect(24).order(ByteOrder.nativeOrder()).putLong(1).putLong(42).putLong(3);
        Tensor n = Tensor.of("n", DataType.INT64, new long[]{1, 1}, batch.slice(8, 8).order(ByteOrder.nativeOrder()));
        List<Tensor> outputs = List.of(y, s, n);

        ModelInferResponse response = GrpcTensors.response("m", 3, "req-1", outputs);

        assertEquals("m", response.getModelName());
        assertEquals("3", response.getModelVersion());
        assertEquals("req-1", response.getId());
        assertEquals(3, response.getOutputsCount());
        assertEquals(3, response.getRawOutputContentsCount());
        for (int i = 0; i < outputs.size(); i++) {
            Tensor tensor = outputs.get(i);
            ModelInferResponse.InferOutputTensor output = response.getOutputs(i);
            assertEquals(tensor.name(), output.getName());
            assertEquals(tensor.dataType().name(), output.getDatatype());
            assertArrayEquals(tensor.shape(), output.getShapeList().stream().mapToLong(Long::longValue).toArray());
            assertFalse(output.hasContents(), "data goes in raw_output_contents only");
            assertArrayEquals(bytes(tensor), response.getRawOutputContents(i).toByteArray(), tensor.name());
        }
        assertArrayEquals(bytes(nativeBuffer(8).putLong(42).flip()), response.getRawOutputContents(2).toByteArray());
        assertEquals("FP32", response.getOutputs(0).getDatatype());
        assertEquals(List.of(2L, 2L), response.getOutputs(0).getShapeList());
    }

    @Test
    void response_withoutOutputs_hasNoRawContents() {
        ModelInferResponse response = GrpcTensors.response("m", 1, "", List.of());
        assertEquals(0, response.getOutputsCount());
        assertEquals(0, response.getRawOutputContentsCount());
        assertEquals("1", response.getModelVersion());
    }

    @Test
    void rawInputsDecodedAndSentBack_areTheBytesTheClientSent() {
        ModelSignature signature = signature(spec("f", DataType.FP32, 3), spec("s", DataType.BYTES, 1));
        ByteString floats = ByteString.copyFrom(bytes(littleEndian(12).putFloat(0.5f).putFloat(-1).putFloat(7).flip()));
        ByteString text = ByteString.copyFrom(bytes(BytesElements.fromStrings(new String[]{"hé"}, 0, 1)));
        List<Tensor> decoded = decode(requestWith(input("f", "FP32", 3), input("s", "BYTES", 1))
                .addRawInputContents(floats).addRawInputContents(text).build(), signature);
        try {
            ModelInferResponse response = GrpcTensors.response("m", 1, "id", decoded);
            assertArrayEquals(floats.toByteArray(), response.getRawOutputContents(0).toByteArray());
            assertArrayEquals(text.toByteArray(), response.getRawOutputContents(1).toByteArray());
        } finally {
            closeAll(decoded);
        }
    }
}
