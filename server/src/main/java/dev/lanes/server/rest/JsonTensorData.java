package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.tensor.DataType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Tensor data between JSON and buffers without a JSON tree: reads a {@code data} array (flat or
 * nested, row-major) token by token straight into a buffer, and writes a buffer back as a flat
 * JSON array. This is the REST hot path; it boxes nothing per element.
 */
final class JsonTensorData {
    private static final int MAX_NESTING = 64;

    private JsonTensorData() {
    }

    /**
     * Reads {@code count} elements of {@code type} into {@code target} (positioned at 0, with room
     * for exactly {@code count} fixed-size elements). The parser stands on the array's start.
     */
    static void readFixed(JsonParser parser, String input, DataType type, long count, ByteBuffer target)
            throws IOException {
        if (type == DataType.FP16 || type == DataType.BF16) {
            throw InferenceException.invalidInput(
                    "input '%s': %s data must be sent as binary data (the binary tensor extension), not JSON",
                    input, type);
        }
        long read = readArray(parser, input, type, count, target, null, 0);
        if (read != count) {
            throw InferenceException.invalidInput("input '%s' has %d elements in 'data' but its shape needs %d",
                    input, read, count);
        }
        target.flip();
    }

    /** Reads BYTES elements (JSON strings) in Triton's length-prefixed serialization. */
    static ByteBuffer readBytes(JsonParser parser, String input, long count) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long read = readArray(parser, input, DataType.BYTES, count, null, out, 0);
        if (read != count) {
            throw InferenceException.invalidInput("input '%s' has %d elements in 'data' but its shape needs %d",
                    input, read, count);
        }
        return ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.nativeOrder());
    }

    private static long readArray(JsonParser parser, String input, DataType type, long count, ByteBuffer target,
                                  ByteArrayOutputStream bytes, int depth) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw InferenceException.invalidInput("input '%s': 'data' must be an array", input);
        }
        if (depth > MAX_NESTING) {
            throw InferenceException.invalidInput("input '%s': 'data' is nested deeper than %d", input, MAX_NESTING);
        }
        long read = 0;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw InferenceException.invalidInput("input '%s': 'data' ends early", input);
            }
            if (token == JsonToken.START_ARRAY) {
                read += readArray(parser, input, type, count - read, target, bytes, depth + 1);
                continue;
            }
            if (read >= count) {
                throw InferenceException.invalidInput("input '%s' has more elements in 'data' than its shape needs (%d)",
                        input, count);
            }
            if (bytes != null) {
                writeString(parser, input, token, bytes);
            } else {
                writeElement(parser, input, type, token, target);
            }
            read++;
        }
        return read;
    }

    private static void writeString(JsonParser parser, String input, JsonToken token, ByteArrayOutputStream out)
            throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw InferenceException.invalidInput("input '%s' is BYTES; its elements must be strings", input);
        }
        byte[] value = parser.getText().getBytes(StandardCharsets.UTF_8);
        int length = value.length;
        out.write(length);
        out.write(length >>> 8);
        out.write(length >>> 16);
        out.write(length >>> 24);
        out.write(value);
    }

    private static void writeElement(JsonParser parser, String input, DataType type, JsonToken token, ByteBuffer target)
            throws IOException {
        switch (type) {
            case BOOL -> {
                if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
                    throw InferenceException.invalidInput("input '%s' is BOOL; its elements must be true or false", input);
                }
                target.put((byte) (token == JsonToken.VALUE_TRUE ? 1 : 0));
            }
            case UINT8 -> target.put((byte) integer(parser, input, type, token, 0, 255));
            case INT8 -> target.put((byte) integer(parser, input, type, token, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case INT16 -> target.putShort((short) integer(parser, input, type, token, Short.MIN_VALUE, Short.MAX_VALUE));
            case INT32 -> target.putInt((int) integer(parser, input, type, token, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case INT64 -> target.putLong(integer(parser, input, type, token, Long.MIN_VALUE, Long.MAX_VALUE));
            case FP32 -> target.putFloat(number(parser, input, type, token).getFloatValue());
            case FP64 -> target.putDouble(number(parser, input, type, token).getDoubleValue());
            default -> throw InferenceException.invalidInput("input '%s': datatype %s cannot be sent as JSON data",
                    input, type);
        }
    }

    private static long integer(JsonParser parser, String input, DataType type, JsonToken token, long min, long max)
            throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw InferenceException.invalidInput("input '%s' is %s; its elements must be integers, got %s",
                    input, type, parser.getText());
        }
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw InferenceException.invalidInput("input '%s': %s is out of range for %s", input, parser.getText(), type);
        }
        long value = parser.getLongValue();
        if (value < min || value > max) {
            throw InferenceException.invalidInput("input '%s': %d is out of range for %s", input, value, type);
        }
        return value;
    }

    private static JsonParser number(JsonParser parser, String input, DataType type, JsonToken token) {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw InferenceException.invalidInput("input '%s' is %s; its elements must be numbers", input, type);
        }
        return parser;
    }

    /** Writes {@code data} (native order; BYTES serialized) as one flat JSON array. */
    static void write(JsonGenerator json, DataType type, ByteBuffer data) throws IOException {
        ByteBuffer view = data.duplicate().order(ByteOrder.nativeOrder());
        json.writeStartArray();
        switch (type) {
            case BOOL -> {
                while (view.hasRemaining()) {
                    json.writeBoolean(view.get() != 0);
                }
            }
            case UINT8 -> {
                while (view.hasRemaining()) {
                    json.writeNumber(view.get() & 0xFF);
                }
            }
            case INT8 -> {
                while (view.hasRemaining()) {
                    json.writeNumber(view.get());
                }
            }
            case INT16 -> {
                while (view.hasRemaining()) {
                    json.writeNumber(view.getShort());
                }
            }
            case INT32 -> {
                while (view.hasRemaining()) {
                    json.writeNumber(view.getInt());
                }
            }
            case INT64 -> {
                while (view.hasRemaining()) {
                    json.writeNumber(view.getLong());
                }
            }
            case FP16 -> {
                while (view.hasRemaining()) {
                    json.writeNumber(Float.float16ToFloat(view.getShort()));
                }
            }
            case BF16 -> {
                while (view.hasRemaining()) {
                    json.writeNumber(Float.intBitsToFloat((view.getShort() & 0xFFFF) << 16));
                }
            }
            case FP32 -> {
                while (view.hasRemaining()) {
                    json.writeNumber(view.getFloat());
                }
            }
            case FP64 -> {
                while (view.hasRemaining()) {
                    json.writeNumber(view.getDouble());
                }
            }
            case BYTES -> {
                view.order(ByteOrder.LITTLE_ENDIAN);
                while (view.remaining() >= 4) {
                    int length = view.getInt();
                    byte[] element = new byte[length];
                    view.get(element);
                    json.writeString(new String(element, StandardCharsets.UTF_8));
                }
            }
            default -> throw new IllegalStateException("no JSON form for " + type);
        }
        json.writeEndArray();
    }
}
