package dev.lanes.server.rest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * One FP32 input with values uniform in [0, 1) from a fixed seed, as V2 REST bodies: the bodies
 * the load generator in {@code benchmarks} sends (its {@code Workload}), built here because the
 * server's tests do not see that module.
 *
 * @param input  input tensor name
 * @param shape  full shape including the batch dimension
 * @param values the tensor's values, row-major
 */
record RandomFp32Body(String input, long[] shape, float[] values) {
    static RandomFp32Body of(String input, long... shape) {
        int elements = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        float[] values = new float[elements];
        Random random = new Random(42);
        for (int i = 0; i < elements; i++) {
            values[i] = random.nextFloat();
        }
        return new RandomFp32Body(input, shape.clone(), values);
    }

    /** The values as little-endian bytes, as the binary extension carries them. */
    byte[] littleEndianBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    private String shapeJson() {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    }

    /** A body with the tensor as JSON numbers. */
    byte[] json() {
        StringBuilder json = new StringBuilder(values.length * 12 + 128)
                .append("{\"inputs\":[{\"name\":\"").append(input).append("\",\"shape\":").append(shapeJson())
                .append(",\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(values[i]);
        }
        return json.append("]}]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The JSON header of a binary-extension body; its length goes in Inference-Header-Content-Length. */
    byte[] binaryHeader() {
        return ("{\"inputs\":[{\"name\":\"" + input + "\",\"shape\":" + shapeJson()
                + ",\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + values.length * Float.BYTES
                + "}}],\"parameters\":{\"binary_data_output\":true}}").getBytes(StandardCharsets.US_ASCII);
    }

    /** The header followed by the raw tensor bytes. */
    byte[] binary() {
        byte[] header = binaryHeader();
        byte[] data = littleEndianBytes();
        byte[] body = Arrays.copyOf(header, header.length + data.length);
        System.arraycopy(data, 0, body, header.length, data.length);
        return body;
    }
}
