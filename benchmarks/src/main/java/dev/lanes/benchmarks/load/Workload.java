package dev.lanes.benchmarks.load;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * One request's content: a model and a single FP32 input with fixed pseudo-random values, so
 * every protocol, the raw-runtime baseline and the echo route carry exactly the same tensor.
 *
 * @param model  model name on the server
 * @param input  input tensor name
 * @param shape  full shape including the batch dimension (1 for one row)
 * @param values the tensor's values, row-major
 */
public record Workload(String model, String input, long[] shape, float[] values) implements Serializable {
    public Workload {
        long elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (elements != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elements
                    + " values, got " + values.length);
        }
    }

    /** Values uniform in [0, 1) from a fixed seed. */
    public static Workload random(String model, String input, long... shape) {
        int elements = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        float[] values = new float[elements];
        Random random = new Random(42);
        for (int i = 0; i < elements; i++) {
            values[i] = random.nextFloat();
        }
        return new Workload(model, input, shape.clone(), values);
    }

    /** The same input sent to another model name. */
    public Workload named(String otherModel) {
        return new Workload(otherModel, input, shape, values);
    }

    /** The same values repeated {@code rows} times along a new leading batch dimension of that size. */
    public Workload batchOf(int rows) {
        long[] batched = shape.clone();
        batched[0] = shape[0] * rows;
        float[] repeated = new float[values.length * rows];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(values, 0, repeated, row * values.length, values.length);
        }
        return new Workload(model, input, batched, repeated);
    }

    /** Parses {@code NAME:D0,D1,...}, e.g. {@code x:1,3,48,192}. */
    public static Workload parse(String model, String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("input must be NAME:D0,D1,..., got '" + spec + "'");
        }
        long[] shape = Arrays.stream(spec.substring(colon + 1).split(",")).mapToLong(Long::parseLong).toArray();
        return random(model, spec.substring(0, colon), shape);
    }

    /** The input as little-endian bytes, as the binary extension, gRPC raw contents and ORT take it. */
    public byte[] littleEndianBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    String shapeJson() {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    }

    /** A V2 REST body with the tensor as JSON numbers. */
    public byte[] jsonBody() {
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
    public byte[] binaryHeader() {
        return ("{\"inputs\":[{\"name\":\"" + input + "\",\"shape\":" + shapeJson()
                + ",\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + values.length * Float.BYTES
                + "}}],\"parameters\":{\"binary_data_output\":true}}").getBytes(StandardCharsets.US_ASCII);
    }

    /** Header followed by the raw tensor bytes. */
    public byte[] binaryBody() {
        byte[] header = binaryHeader();
        byte[] data = littleEndianBytes();
        byte[] body = Arrays.copyOf(header, header.length + data.length);
        System.arraycopy(data, 0, body, header.length, data.length);
        return body;
    }
}
