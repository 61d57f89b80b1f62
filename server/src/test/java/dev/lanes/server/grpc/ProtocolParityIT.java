package dev.lanes.server.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.OnnxModelWriter.Elem;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import dev.lanes.server.testing.BinaryResponse;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import dev.lanes.server.testing.WireForms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The same inputs through REST JSON, REST binary, gRPC raw and gRPC typed give identical bits. */
class ProtocolParityIT {
    private static final Map<String, Elem> IDENTITY_MODELS = Map.ofEntries(
            Map.entry("BOOL", Elem.BOOL), Map.entry("UINT8", Elem.UINT8), Map.entry("INT8", Elem.INT8),
            Map.entry("INT16", Elem.INT16), Map.entry("INT32", Elem.INT32), Map.entry("INT64", Elem.INT64),
            Map.entry("FP16", Elem.FLOAT16), Map.entry("FP32", Elem.FLOAT), Map.entry("FP64", Elem.DOUBLE),
            Map.entry("BF16", Elem.BFLOAT16), Map.entry("BYTES", Elem.STRING));

    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> {
        TestRepository repo = new TestRepository(dir)
                .model("affine", 1, TestModels.affine())
                .model("mixed", 1, TestModels.mixed());
        IDENTITY_MODELS.forEach((datatype, elem) -> repo.model("identity_" + datatype.toLowerCase(), 1,
                TestModels.identity(elem)));
    }).start(dir -> ServerFixture.start(dir, true));
    static GrpcClient grpc;

    /** One input of a request in raw little-endian form. */
    record Input(String name, String datatype, long[] shape, byte[] raw) {
    }

    private static ServerFixture server() {
        return node.server();
    }

    @BeforeAll
    static void start() throws Exception {
        grpc = new GrpcClient(server().server().grpcPort());
    }

    @AfterAll
    static void stop() throws Exception {
        grpc.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"BOOL", "UINT8", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BF16", "BYTES"})
    void identity_everyProtocol_returnsTheInputBits(String datatype) throws Exception {
        Input input = new Input("in", datatype, new long[]{3, 4}, sample(datatype, 12, datatype.hashCode()));
        Map<String, List<byte[]>> answers = everyProtocol("identity_" + datatype.toLowerCase(), List.of(input));
        answers.forEach((protocol, outputs) ->
                assertArrayEquals(input.raw(), outputs.get(0), datatype + " through " + protocol));
    }

    @Test
    void computedModels_everyProtocol_agreeBitForBit() throws Exception {
        float[] x = new float[5 * 4];
        Random random = new Random(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian() * 100;
        }
        assertAgree("affine", List.of(new Input("x", "FP32", new long[]{5, 4}, GrpcClient.floatBytes(x))));
        assertAgree("mixed", List.of(
                new Input("a", "INT32", new long[]{2, 3}, sample("INT32", 6, 5)),
                new Input("b", "FP64", new long[]{2, 3}, sample("FP64", 6, 6))));
    }

    private static void assertAgree(String model, List<Input> inputs) throws Exception {
        Map<String, List<byte[]>> answers = everyProtocol(model, inputs);
        List<byte[]> reference = answers.get("REST binary");
        answers.forEach((protocol, outputs) -> {
            assertEquals(reference.size(), outputs.size());
            for (int i = 0; i < outputs.size(); i++) {
                assertArrayEquals(reference.get(i), outputs.get(i), model + " output " + i + " through " + protocol);
            }
        });
    }

    /** Every output's raw bytes, per protocol; JSON and typed forms only where the datatypes have them. */
    private static Map<String, List<byte[]>> everyProtocol(String model, List<Input> inputs) throws Exception {
        boolean jsonForm = inputs.stream().noneMatch(in -> in.datatype().equals("FP16") || in.datatype().equals("BF16"));
        Map<String, List<byte[]>> answers = new LinkedHashMap<>();
        answers.put("REST binary", restBinary(model, inputs));
        answers.put("gRPC raw", grpc(model, inputs, false));
        if (jsonForm) {
            answers.put("REST JSON", restJson(model, inputs));
            answers.put("gRPC typed", grpc(model, inputs, true));
        }
        return answers;
    }

    private static List<byte[]> restBinary(String model, List<Input> inputs) throws Exception {
        StringBuilder header = new StringBuilder("{\"inputs\":[");
        ByteArrayOutputStream blobs = new ByteArrayOutputStream();
        for (Input input : inputs) {
            header.append(header.charAt(header.length() - 1) == '[' ? "" : ",").append(describe(input))
                    .append(",\"parameters\":{\"binary_data_size\":").append(input.raw().length).append("}}");
            blobs.writeBytes(input.raw());
        }
        header.append("],\"parameters\":{\"binary_data_output\":true}}");
        HttpResponse<byte[]> response = server().postBinary("/v2/models/" + model + "/infer", header.toString(),
                blobs.toByteArray());
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        BinaryResponse binary = BinaryResponse.of(response);
        List<byte[]> outputs = new ArrayList<>();
        int offset = 0;
        for (JsonNode output : binary.json().get("outputs")) {
            int size = output.get("parameters").get("binary_data_size").asInt();
            outputs.add(java.util.Arrays.copyOfRange(binary.data(), offset, offset + size));
            offset += size;
        }
        return outputs;
    }

    private static List<byte[]> restJson(String model, List<Input> inputs) throws Exception {
        StringBuilder body = new StringBuilder("{\"inputs\":[");
        for (Input input : inputs) {
            body.append(body.charAt(body.length() - 1) == '[' ? "" : ",").append(describe(input))
                    .append(",\"data\":").append(WireForms.json(input.datatype(), input.raw())).append('}');
        }
        body.append("]}");
        HttpResponse<String> response = server().post("/v2/models/" + model + "/infer", body.toString());
        assertEquals(200, response.statusCode(), response.body());
        List<byte[]> outputs = new ArrayList<>();
        for (JsonNode output : ServerFixture.json(response.body()).get("outputs")) {
            outputs.add(WireForms.raw(output.get("datatype").asText(), output.get("data")));
        }
        return outputs;
    }

    private static List<byte[]> grpc(String model, List<Input> inputs, boolean typed) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
        for (Input input : inputs) {
            ModelInferRequest.InferInputTensor.Builder tensor = request.addInputsBuilder()
                    .setName(input.name()).setDatatype(input.datatype());
            for (long dim : input.shape()) {
                tensor.addShape(dim);
            }
            if (typed) {
                tensor.setContents(WireForms.contents(input.datatype(), input.raw()));
            } else {
                request.addRawInputContents(com.google.protobuf.ByteString.copyFrom(input.raw()));
            }
        }
        ModelInferResponse response = grpc.blocking().modelInfer(request.build());
        return response.getRawOutputContentsList().stream().map(com.google.protobuf.ByteString::toByteArray).toList();
    }

    private static String describe(Input input) {
        StringBuilder shape = new StringBuilder();
        for (long dim : input.shape()) {
            shape.append(shape.isEmpty() ? "" : ",").append(dim);
        }
        return "{\"name\":\"" + input.name() + "\",\"datatype\":\"" + input.datatype() + "\",\"shape\":[" + shape + "]";
    }

    /** Seeded sample data with edge values: extremes, subnormals, negative zero, non-ASCII text. */
    static byte[] sample(String datatype, int count, long seed) {
        Random random = new Random(seed);
        if (datatype.equals("BYTES")) {
            String[] words = {"", "lanes", "ünïcødé ✓", "tab\there", "\"quoted\"", "x".repeat(300)};
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < count; i++) {
                byte[] element = words[random.nextInt(words.length)].getBytes(StandardCharsets.UTF_8);
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(element.length).array());
                out.writeBytes(element);
            }
            return out.toByteArray();
        }
        int size = switch (datatype) {
            case "BOOL", "UINT8", "INT8" -> 1;
            case "INT16", "FP16", "BF16" -> 2;
            case "INT32", "FP32" -> 4;
            default -> 8;
        };
        ByteBuffer data = ByteBuffer.allocate(count * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            switch (datatype) {
                case "BOOL" -> data.put((byte) random.nextInt(2));
                case "FP32" -> data.putFloat(switch (i) {
                    case 0 -> -0.0f;
                    case 1 -> Float.MIN_VALUE;
                    case 2 -> Float.MAX_VALUE;
                    default -> Float.intBitsToFloat(random.nextInt() & 0x7F7FFFFF | (random.nextBoolean() ? 0x80000000 : 0));
                });
                case "FP64" -> data.putDouble(switch (i) {
                    case 0 -> -0.0;
                    case 1 -> Double.MIN_VALUE;
                    case 2 -> -Double.MAX_VALUE;
                    default -> Double.longBitsToDouble(random.nextLong() & 0x7FEFFFFFFFFFFFFFL);
                });
                default -> {
                    byte[] bytes = new byte[size];
                    random.nextBytes(bytes);
                    data.put(bytes);
                }
            }
        }
        return data.array();
    }
}
