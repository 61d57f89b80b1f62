package dev.lanes.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.lanes.server.grpc.proto.InferTensorContents;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Converts tensor data between its raw little-endian bytes and the other wire forms (V2 JSON
 * data arrays and gRPC typed contents), exactly, so tests can compare protocols bit for bit.
 * JSON numbers are read back from their text, which keeps negative zero (BigDecimal would not).
 */
public final class WireForms {
    private WireForms() {
    }

    /** A JSON array literal for raw data of {@code datatype}. */
    public static String json(String datatype, byte[] raw) {
        ByteBuffer data = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder json = new StringBuilder("[");
        while (data.hasRemaining()) {
            if (json.length() > 1) {
                json.append(',');
            }
            switch (datatype) {
                case "BOOL" -> json.append(data.get() != 0);
                case "UINT8" -> json.append(data.get() & 0xFF);
                case "INT8" -> json.append(data.get());
                case "INT16" -> json.append(data.getShort());
                case "INT32" -> json.append(data.getInt());
                case "INT64" -> json.append(data.getLong());
                case "FP32" -> json.append(Float.toString(data.getFloat()));
                case "FP64" -> json.append(Double.toString(data.getDouble()));
                case "BYTES" -> {
                    byte[] element = new byte[data.getInt()];
                    data.get(element);
                    json.append(ServerFixture.JSON.valueToTree(new String(element, StandardCharsets.UTF_8)).toString());
                }
                default -> throw new IllegalArgumentException("no JSON form for " + datatype);
            }
        }
        return json.append(']').toString();
    }

    /** Raw bytes for a JSON data array of {@code datatype}. */
    public static byte[] raw(String datatype, JsonNode data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode element : data) {
            scratch.clear();
            switch (datatype) {
                case "BOOL" -> scratch.put((byte) (element.booleanValue() ? 1 : 0));
                case "UINT8", "INT8" -> scratch.put((byte) element.intValue());
                case "INT16" -> scratch.putShort((short) element.intValue());
                case "INT32" -> scratch.putInt(element.intValue());
                case "INT64" -> scratch.putLong(element.longValue());
                case "FP32" -> scratch.putFloat(Float.parseFloat(element.asText()));
                case "FP64" -> scratch.putDouble(Double.parseDouble(element.asText()));
                case "BYTES" -> {
                    byte[] bytes = element.textValue().getBytes(StandardCharsets.UTF_8);
                    out.write(bytes.length);
                    out.write(bytes.length >>> 8);
                    out.write(bytes.length >>> 16);
                    out.write(bytes.length >>> 24);
                    out.writeBytes(bytes);
                    continue;
                }
                default -> throw new IllegalArgumentException("no JSON form for " + datatype);
            }
            out.write(scratch.array(), 0, scratch.position());
        }
        return out.toByteArray();
    }

    /** gRPC typed contents for raw data of {@code datatype}. */
    public static InferTensorContents contents(String datatype, byte[] raw) {
        ByteBuffer data = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        while (data.hasRemaining()) {
            switch (datatype) {
                case "BOOL" -> contents.addBoolContents(data.get() != 0);
                case "UINT8" -> contents.addUintContents(data.get() & 0xFF);
                case "INT8" -> contents.addIntContents(data.get());
                case "INT16" -> contents.addIntContents(data.getShort());
                case "INT32" -> contents.addIntContents(data.getInt());
                case "INT64" -> contents.addInt64Contents(data.getLong());
                case "FP32" -> contents.addFp32Contents(data.getFloat());
                case "FP64" -> contents.addFp64Contents(data.getDouble());
                case "BYTES" -> {
                    byte[] element = new byte[data.getInt()];
                    data.get(element);
                    contents.addBytesContents(ByteString.copyFrom(element));
                }
                default -> throw new IllegalArgumentException("no typed contents for " + datatype);
            }
        }
        return contents.build();
    }
}
