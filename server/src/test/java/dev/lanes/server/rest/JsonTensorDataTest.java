package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.tensor.BytesElements;
import dev.lanes.runtime.tensor.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST tensor-data codec without a request around it: {@code readFixed} for every datatype JSON
 * can carry (extremes included, nested arrays flattened row-major, the parser left on the array's
 * end), {@code readBytes} into the 4-byte little-endian length-prefixed layout, the refusals with
 * messages that name the input and the problem (element count, range, token kind, nesting, datatypes
 * JSON cannot carry), and {@code write} producing the JSON text from native-order buffers, with
 * write-then-read round trips.
 */
class JsonTensorDataTest {
    /** Configured as InferRequestDecoder's parser factory is. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();
    private static final String INPUT = "pixels";

    /** A parser standing on the data array's start, as InferRequestDecoder hands it over. */
    private static JsonParser at(String data) throws IOException {
        JsonParser parser = JSON.createParser(data);
        parser.nextToken();
        return parser;
    }

    /** Reads {@code data} as {@code count} elements of {@code type}; checks the parser ends on the array's end. */
    private static ByteBuffer fixed(DataType type, long count, String data) throws IOException {
        ByteBuffer target = ByteBuffer.allocate(Math.toIntExact(count * type.byteSize())).order(ByteOrder.nativeOrder());
        try (JsonParser parser = at(data)) {
            JsonTensorData.readFixed(parser, INPUT, type, count, target);
            assertEquals(JsonToken.END_ARRAY, parser.currentToken(), "the parser is left on the data array's end");
        }
        assertEquals(0, target.position(), "the target is flipped for reading");
        assertEquals(count * type.byteSize(), target.limit());
        return target;
    }

    private static ByteBuffer strings(long count, String data) throws IOException {
        try (JsonParser parser = at(data)) {
            ByteBuffer bytes = JsonTensorData.readBytes(parser, INPUT, count);
            assertEquals(JsonToken.END_ARRAY, parser.currentToken(), "the parser is left on the data array's end");
            return bytes;
        }
    }

    /** The JSON text write() produces, through the factory the response encoder uses. */
    private static String written(DataType type, ByteBuffer data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = InferResponseEncoder.JSON.createGenerator(out)) {
            JsonTensorData.write(json, type, data);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static ByteBuffer nativeBuffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    private static InferenceException refusedFixed(DataType type, long count, String data) {
        InferenceException error = assertThrows(InferenceException.class, () -> fixed(type, count, data));
        assertEquals(ErrorKind.INVALID_INPUT, error.kind(), error.getMessage());
        return error;
    }

    private static InferenceException refusedBytes(long count, String data) {
        InferenceException error = assertThrows(InferenceException.class, () -> strings(count, data));
        assertEquals(ErrorKind.INVALID_INPUT, error.kind(), error.getMessage());
        return error;
    }

    // ---- readFixed: every datatype JSON carries, extremes included ----

    @Test
    void int8_readsItsExtremes() throws IOException {
        assertArrayEquals(new byte[]{-128, 0, 127}, bytes(fixed(DataType.INT8, 3, "[-128,0,127]")));
    }

    @Test
    void uint8_readsZeroTo255() throws IOException {
        assertArrayEquals(new byte[]{0, (byte) 128, (byte) 255}, bytes(fixed(DataType.UINT8, 3, "[0,128,255]")));
    }

    @Test
    void int16_readsItsExtremesInNativeOrder() throws IOException {
        byte[] expected = bytes(nativeBuffer(6).putShort(Short.MIN_VALUE).putShort((short) -1).putShort(Short.MAX_VALUE).flip());
        assertArrayEquals(expected, bytes(fixed(DataType.INT16, 3, "[-32768,-1,32767]")));
    }

    @Test
    void int32_readsItsExtremesInNativeOrder() throws IOException {
        byte[] expected = bytes(nativeBuffer(12).putInt(Integer.MIN_VALUE).putInt(7).putInt(Integer.MAX_VALUE).flip());
        assertArrayEquals(expected, bytes(fixed(DataType.INT32, 3, "[-2147483648,7,2147483647]")));
    }

    @Test
    void int64_readsLongMinAndMaxExactly() throws IOException {
        byte[] expected = bytes(nativeBuffer(24).putLong(Long.MIN_VALUE).putLong(0).putLong(Long.MAX_VALUE).flip());
        assertArrayEquals(expected, bytes(fixed(DataType.INT64, 3, "[-9223372036854775808,0,9223372036854775807]")));
    }

    @Test
    void fp32_readsDecimalsIntegersSignedZeroAndTheFloatExtremes() throws IOException {
        byte[] expected = bytes(nativeBuffer(24).putFloat(1.5f).putFloat(-2f).putFloat(0.1f).putFloat(-0.0f)
                .putFloat(Float.MAX_VALUE).putFloat(Float.MIN_VALUE).flip());
        assertArrayEquals(expected, bytes(fixed(DataType.FP32, 6, "[1.5,-2,0.1,-0.0,3.4028235E38,1.4E-45]")));
    }

    @Test
    void fp64_readsDecimalsIntegersAndTheDoubleExtremes() throws IOException {
        byte[] expected = bytes(nativeBuffer(32).putDouble(0.1).putDouble(-2).putDouble(Double.MAX_VALUE)
                .putDouble(Double.MIN_VALUE).flip());
        assertArrayEquals(expected, bytes(fixed(DataType.FP64, 4, "[0.1,-2,1.7976931348623157E308,4.9E-324]")));
    }

    @Test
    void bool_readsTrueAsOneAndFalseAsZero() throws IOException {
        assertArrayEquals(new byte[]{1, 0, 1}, bytes(fixed(DataType.BOOL, 3, "[true,false,true]")));
    }

    @Test
    void anEmptyShape_readsAnEmptyArray() throws IOException {
        assertEquals(0, fixed(DataType.FP32, 0, "[]").remaining());
        assertEquals(0, fixed(DataType.FP32, 0, "[[],[]]").remaining());
    }

    // ---- nesting ----

    @Test
    void nestedArrays_flattenRowMajor_toTheSameBytesAsTheFlatArray() throws IOException {
        byte[] flat = bytes(fixed(DataType.FP32, 6, "[1,2,3,4,5,6]"));
        byte[] expected = bytes(nativeBuffer(24).putFloat(1).putFloat(2).putFloat(3).putFloat(4).putFloat(5).putFloat(6).flip());
        assertArrayEquals(expected, flat);
        assertArrayEquals(flat, bytes(fixed(DataType.FP32, 6, "[[1,2,3],[4,5,6]]")));
        assertArrayEquals(flat, bytes(fixed(DataType.FP32, 6, "[[[1],[2],[3]],[[4],[5],[6]]]")));
        assertArrayEquals(bytes(fixed(DataType.INT64, 4, "[10,-20,30,-40]")),
                bytes(fixed(DataType.INT64, 4, "[[10,-20],[30,-40]]")));
    }

    @Test
    void nestingAsDeepAsTheLargestShapeRank_isRead() throws IOException {
        String data = "[".repeat(64) + "7" + "]".repeat(64); // a rank-64 tensor, the most dimensions a shape may have
        assertArrayEquals(new byte[]{7}, bytes(fixed(DataType.INT8, 1, data)));
    }

    @Test
    void nestingDeeperThanTheLimit_isRefused() {
        String data = "[".repeat(66) + "7" + "]".repeat(66);
        InferenceException error = refusedFixed(DataType.INT8, 1, data);
        assertEquals("input 'pixels': 'data' is nested deeper than 64", error.getMessage());
        InferenceException bytesError = refusedBytes(1, "[".repeat(66) + "\"a\"" + "]".repeat(66));
        assertEquals("input 'pixels': 'data' is nested deeper than 64", bytesError.getMessage());
    }

    // ---- refusals ----

    @Test
    void tooFewElements_isRefusedWithBothCounts() {
        assertEquals("input 'pixels' has 2 elements in 'data' but its shape needs 3",
                refusedFixed(DataType.INT32, 3, "[1,2]").getMessage());
        assertEquals("input 'pixels' has 2 elements in 'data' but its shape needs 3",
                refusedFixed(DataType.INT32, 3, "[[1],[2]]").getMessage());
        assertEquals("input 'pixels' has 0 elements in 'data' but its shape needs 1",
                refusedFixed(DataType.FP32, 1, "[]").getMessage());
    }

    @Test
    void tooManyElements_isRefusedBeforeTheBufferOverflows() {
        assertEquals("input 'pixels' has more elements in 'data' than its shape needs (2)",
                refusedFixed(DataType.INT32, 2, "[1,2,3]").getMessage());
        assertEquals("input 'pixels' has more elements in 'data' than its shape needs (4)",
                refusedFixed(DataType.FP64, 4, "[1,2,3,4,5]").getMessage());
    }

    @Test
    void tooManyElementsInANestedArray_isRefused() {
        InferenceException error = refusedFixed(DataType.INT32, 3, "[[1,2],[3,4]]");
        assertTrue(error.getMessage().startsWith("input 'pixels' has more elements in 'data' than its shape needs"),
                error.getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "INT8,   '[0,128]',                  '128 is out of range for INT8'",
            "INT8,   '[-129]',                   '-129 is out of range for INT8'",
            "UINT8,  '[256]',                    '256 is out of range for UINT8'",
            "UINT8,  '[1,-1]',                   '-1 is out of range for UINT8'",
            "INT16,  '[32768]',                  '32768 is out of range for INT16'",
            "INT16,  '[-32769]',                 '-32769 is out of range for INT16'",
            "INT32,  '[2147483648]',             '2147483648 is out of range for INT32'",
            "INT32,  '[-2147483649]',            '-2147483649 is out of range for INT32'",
            "INT64,  '[9223372036854775808]',    '9223372036854775808 is out of range for INT64'",
            "INT64,  '[-9223372036854775809]',   '-9223372036854775809 is out of range for INT64'",
    })
    void integersOutOfTheTypesRange_areRefusedNamingTheValueAndType(DataType type, String data, String problem) {
        assertEquals("input 'pixels': " + problem, refusedFixed(type, 2, data).getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "INT32,  '[1.0]',      'is INT32; its elements must be integers, got 1.0'",
            "INT8,   '[1e2]',      'is INT8; its elements must be integers, got 1e2'",
            "INT64,  '[2.5]',      'is INT64; its elements must be integers, got 2.5'",
            "UINT8,  '[true]',     'is UINT8; its elements must be integers, got true'",
            "INT16,  '[null]',     'is INT16; its elements must be integers, got null'",
            "INT32,  '[\"7\"]',    'is INT32; its elements must be integers, got 7'",
            "FP32,   '[\"1.5\"]',  'is FP32; its elements must be numbers'",
            "FP64,   '[true]',     'is FP64; its elements must be numbers'",
            "FP32,   '[{}]',       'is FP32; its elements must be numbers'",
            "BOOL,   '[1]',        'is BOOL; its elements must be true or false'",
            "BOOL,   '[\"true\"]', 'is BOOL; its elements must be true or false'",
    })
    void elementsOfTheWrongKind_areRefusedNamingInputAndType(DataType type, String data, String problem) {
        assertEquals("input 'pixels' " + problem, refusedFixed(type, 1, data).getMessage());
    }

    @Test
    void dataThatIsNotAnArray_isRefused() {
        assertEquals("input 'pixels': 'data' must be an array", refusedFixed(DataType.FP32, 1, "1.5").getMessage());
        assertEquals("input 'pixels': 'data' must be an array", refusedFixed(DataType.FP32, 1, "{\"a\":1}").getMessage());
        assertEquals("input 'pixels': 'data' must be an array", refusedBytes(1, "\"text\"").getMessage());
    }

    @Test
    void dataCutOffMidArray_isAJsonError() {
        assertThrows(JsonProcessingException.class, () -> fixed(DataType.FP32, 3, "[1,2"));
        assertThrows(JsonProcessingException.class, () -> strings(2, "[\"a\""));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FP16", "BF16"})
    void halfPrecision_mustComeAsBinaryData(DataType type) {
        assertEquals("input 'pixels': " + type + " data must be sent as binary data (the binary tensor extension), not JSON",
                refusedFixed(type, 1, "[1.5]").getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"UINT16", "UINT32", "UINT64"})
    void unsignedTypesWiderThanAByte_cannotBeSentAsJson(DataType type) {
        assertEquals("input 'pixels': datatype " + type + " cannot be sent as JSON data",
                refusedFixed(type, 1, "[-1]").getMessage());
        assertEquals("input 'pixels': datatype " + type + " cannot be sent as JSON data",
                refusedFixed(type, 1, "[1]").getMessage());
    }

    // ---- readBytes ----

    @Test
    void bytes_areReadIntoLittleEndianLengthPrefixedElements() throws IOException {
        ByteBuffer data = strings(3, "[\"ab\",\"\",\"\u00e9\"]");
        assertArrayEquals(new byte[]{2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 2, 0, 0, 0, (byte) 0xC3, (byte) 0xA9}, bytes(data));
        assertEquals(ByteOrder.nativeOrder(), data.order());
        BytesElements.checkCount(INPUT, data, 3);
        String[] back = new String[3];
        BytesElements.toStrings(data, back, 0);
        assertArrayEquals(new String[]{"ab", "", "\u00e9"}, back);
    }

    @Test
    void bytes_aLongElementsLengthUsesAllFourPrefixBytesLittleEndian() throws IOException {
        String element = "x".repeat(300); // 300 = 0x012C
        byte[] data = bytes(strings(1, "[\"" + element + "\"]"));
        assertEquals(304, data.length);
        assertArrayEquals(new byte[]{0x2C, 0x01, 0, 0}, new byte[]{data[0], data[1], data[2], data[3]});
        assertEquals(element, new String(data, 4, 300, StandardCharsets.US_ASCII));
    }

    @Test
    void bytes_nestedArraysFlattenRowMajor() throws IOException {
        assertArrayEquals(bytes(strings(4, "[\"a\",\"bc\",\"d\",\"\"]")),
                bytes(strings(4, "[[\"a\",\"bc\"],[\"d\",\"\"]]")));
    }

    @Test
    void bytes_countMismatch_isRefusedWithTheCounts() {
        assertEquals("input 'pixels' has 2 elements in 'data' but its shape needs 3",
                refusedBytes(3, "[\"a\",\"b\"]").getMessage());
        assertEquals("input 'pixels' has more elements in 'data' than its shape needs (1)",
                refusedBytes(1, "[\"a\",\"b\"]").getMessage());
    }

    @Test
    void bytes_elementsThatAreNotStrings_areRefused() {
        assertEquals("input 'pixels' is BYTES; its elements must be strings", refusedBytes(1, "[1]").getMessage());
        assertEquals("input 'pixels' is BYTES; its elements must be strings", refusedBytes(2, "[\"a\",null]").getMessage());
        assertEquals("input 'pixels' is BYTES; its elements must be strings", refusedBytes(1, "[true]").getMessage());
    }

    // ---- write ----

    @Test
    void write_fp32() throws IOException {
        assertEquals("[1.5,-2.0]", written(DataType.FP32, nativeBuffer(8).putFloat(1.5f).putFloat(-2f).flip()));
    }

    @Test
    void write_fp64() throws IOException {
        assertEquals("[0.25,-3.0]", written(DataType.FP64, nativeBuffer(16).putDouble(0.25).putDouble(-3).flip()));
    }

    @Test
    void write_boolAnyNonZeroByteIsTrue() throws IOException {
        assertEquals("[true,false,true]", written(DataType.BOOL, ByteBuffer.wrap(new byte[]{1, 0, 2})));
    }

    @Test
    void write_int64Extremes() throws IOException {
        assertEquals("[-9223372036854775808,9223372036854775807]",
                written(DataType.INT64, nativeBuffer(16).putLong(Long.MIN_VALUE).putLong(Long.MAX_VALUE).flip()));
    }

    @Test
    void write_int32AndInt16AreSigned() throws IOException {
        assertEquals("[-2147483648,2147483647]",
                written(DataType.INT32, nativeBuffer(8).putInt(Integer.MIN_VALUE).putInt(Integer.MAX_VALUE).flip()));
        assertEquals("[-32768,32767]",
                written(DataType.INT16, nativeBuffer(4).putShort(Short.MIN_VALUE).putShort(Short.MAX_VALUE).flip()));
    }

    @Test
    void write_int8IsSigned_uint8IsNot() throws IOException {
        assertEquals("[-128,127,-1]", written(DataType.INT8, ByteBuffer.wrap(new byte[]{-128, 127, -1})));
        assertEquals("[255,0,128]", written(DataType.UINT8, ByteBuffer.wrap(new byte[]{(byte) 255, 0, (byte) 128})));
    }

    @Test
    void write_halfPrecisionAsTheFloatsTheyHold() throws IOException {
        assertEquals("[1.5,-0.25]", written(DataType.FP16,
                nativeBuffer(4).putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-0.25f)).flip()));
        short bf16OnePointFive = (short) (Float.floatToRawIntBits(1.5f) >>> 16);
        short bf16MinusTwo = (short) (Float.floatToRawIntBits(-2f) >>> 16);
        assertEquals("[1.5,-2.0]", written(DataType.BF16, nativeBuffer(4).putShort(bf16OnePointFive).putShort(bf16MinusTwo).flip()));
    }

    @Test
    void write_bytesAsJsonStrings_escapedWhereJsonNeedsIt() throws IOException {
        ByteBuffer data = BytesElements.fromStrings(new String[]{"ab", "", "q\"\u00e9"}, 0, 3);
        assertEquals("[\"ab\",\"\",\"q\\\"\u00e9\"]", written(DataType.BYTES, data));
    }

    @Test
    void write_anEmptyBufferIsAnEmptyArray() throws IOException {
        assertEquals("[]", written(DataType.FP32, nativeBuffer(0)));
        assertEquals("[]", written(DataType.BYTES, nativeBuffer(0)));
    }

    @Test
    void write_leavesTheGivenBuffersPositionAlone() throws IOException {
        ByteBuffer data = nativeBuffer(8).putInt(1).putInt(2).flip();
        written(DataType.INT32, data);
        assertEquals(0, data.position());
        assertEquals(8, data.limit());
    }

    // ---- write, then read back ----

    @Test
    void writeThenRead_givesTheSameBytesForEveryTypeJsonCarries() throws IOException {
        roundTrip(DataType.BOOL, ByteBuffer.wrap(new byte[]{1, 0, 0, 1}));
        roundTrip(DataType.UINT8, ByteBuffer.wrap(new byte[]{0, (byte) 255, 17}));
        roundTrip(DataType.INT8, ByteBuffer.wrap(new byte[]{-128, 127, 0}));
        roundTrip(DataType.INT16, nativeBuffer(4).putShort(Short.MIN_VALUE).putShort(Short.MAX_VALUE).flip());
        roundTrip(DataType.INT32, nativeBuffer(8).putInt(Integer.MIN_VALUE).putInt(Integer.MAX_VALUE).flip());
        roundTrip(DataType.INT64, nativeBuffer(16).putLong(Long.MIN_VALUE).putLong(Long.MAX_VALUE).flip());
        roundTrip(DataType.FP32, nativeBuffer(24).putFloat(0.1f).putFloat(-0.0f).putFloat(Float.MAX_VALUE)
                .putFloat(Float.MIN_VALUE).putFloat(1e-10f).putFloat(-123456.79f).flip());
        roundTrip(DataType.FP64, nativeBuffer(32).putDouble(0.1).putDouble(-0.0).putDouble(Double.MAX_VALUE)
                .putDouble(Double.MIN_VALUE).flip());
    }

    @Test
    void writeThenRead_givesTheSameBytesForBytes() throws IOException {
        ByteBuffer data = BytesElements.fromStrings(new String[]{"grüße ✓", "", "\"quoted\"\n", "x".repeat(300)}, 0, 4);
        String text = written(DataType.BYTES, data);
        assertArrayEquals(bytes(data), bytes(strings(4, text)), text);
    }

    private static void roundTrip(DataType type, ByteBuffer data) throws IOException {
        String text = written(type, data);
        ByteBuffer back = fixed(type, data.remaining() / type.byteSize(), text);
        assertArrayEquals(bytes(data), bytes(back), type + " " + text);
    }
}
