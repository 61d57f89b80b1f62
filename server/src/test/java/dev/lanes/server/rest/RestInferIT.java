package dev.lanes.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.OnnxModelWriter.Elem;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.BinaryRequests;
import dev.lanes.server.testing.BinaryResponse;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inference over a real socket: JSON, binary extension, every datatype ORT carries. */
class RestInferIT {
    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> {
        TestRepository repo = new TestRepository(dir)
                .model("affine", 1, TestModels.affine())
                .model("affine", 2, TestModels.affine())
                .config("affine", "version_policy: { all: {} }\n")
                .model("mixed", 1, TestModels.mixed())
                .model("fixed", 1, TestModels.fixedBatch());
        for (Elem type : new Elem[]{Elem.BOOL, Elem.UINT8, Elem.INT8, Elem.INT16, Elem.INT32, Elem.INT64,
                Elem.FLOAT16, Elem.FLOAT, Elem.DOUBLE, Elem.BFLOAT16, Elem.STRING}) {
            repo.model("identity_" + type.name().toLowerCase(), 1, TestModels.identity(type));
        }
    }).start(dir -> ServerFixture.start(dir, true));

    private static ServerFixture server() {
        return node.server();
    }

    private static void assertAffine(float[] x, JsonNode output) {
        double[] expected = TestModels.affineExpected(x);
        assertEquals(expected.length, output.get("data").size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], output.get("data").get(i).asDouble(), 1e-5, "element " + i);
        }
    }

    @Test
    void infer_affineJson_matchesIndependentComputationAndEchoesId() throws Exception {
        HttpResponse<String> response = server().post("/v2/models/affine/infer", """
                {"id": "req-7", "inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32",
                  "data": [1, 2, 3, 4, -0.5, 0.25, 8, -3]}]}""");

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = ServerFixture.json(response.body());
        assertEquals("affine", body.get("model_name").asText());
        assertEquals("2", body.get("model_version").asText());
        assertEquals("req-7", body.get("id").asText());
        JsonNode y = body.get("outputs").get(0);
        assertEquals("y", y.get("name").asText());
        assertEquals("FP32", y.get("datatype").asText());
        assertEquals("[2,3]", y.get("shape").toString());
        assertAffine(new float[]{1, 2, 3, 4, -0.5f, 0.25f, 8, -3}, y);
        assertFalse(body.has("parameters"), "no fields beyond the protocol's");
    }

    @Test
    void infer_nestedDataAndDataBeforeShape_areReadRowMajor() throws Exception {
        HttpResponse<String> response = server().post("/v2/models/affine/versions/1/infer", """
                {"inputs": [{"data": [[1, 2, 3, 4], [5, 6, 7, 8]], "datatype": "FP32", "name": "x", "shape": [2, 4]}]}""");

        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = ServerFixture.json(response.body());
        assertEquals("1", body.get("model_version").asText());
        assertFalse(body.has("id"));
        assertAffine(new float[]{1, 2, 3, 4, 5, 6, 7, 8}, body.get("outputs").get(0));
    }

    @Test
    void infer_requestedOutputs_returnsOnlyThoseWithMixedDatatypes() throws Exception {
        HttpResponse<String> response = server().post("/v2/models/mixed/infer", """
                {"inputs": [{"name": "a", "shape": [1, 3], "datatype": "INT32", "data": [1, -2, 2147483647]},
                            {"name": "b", "shape": [1, 3], "datatype": "FP64", "data": [0.5, -1.5, 0]}],
                 "outputs": [{"name": "positive"}, {"name": "wide"}]}""");

        assertEquals(200, response.statusCode(), response.body());
        JsonNode outputs = ServerFixture.json(response.body()).get("outputs");
        assertEquals(2, outputs.size());
        assertEquals("positive", outputs.get(0).get("name").asText());
        assertEquals("BOOL", outputs.get(0).get("datatype").asText());
        assertEquals("[true,false,false]", outputs.get(0).get("data").toString());
        assertEquals("INT64", outputs.get(1).get("datatype").asText());
        assertEquals("[1,-2,2147483647]", outputs.get(1).get("data").toString());
    }

    @Test
    void infer_binaryInputAndOutput_roundTripWithHeaderLength() throws Exception {
        float[] x = {1, 2, 3, 4, 0, 0, 0, 1};
        String header = """
                {"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","parameters":{"binary_data_size":32}}],
                 "outputs":[{"name":"y","parameters":{"binary_data":true}}]}""";
        HttpResponse<byte[]> response = server().postBinary("/v2/models/affine/infer", header, BinaryRequests.floats(x));

        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        BinaryResponse binary = BinaryResponse.of(response);
        JsonNode y = binary.json().get("outputs").get(0);
        assertEquals(24, y.get("parameters").get("binary_data_size").asInt());
        assertFalse(y.has("data"));
        assertEquals(24, binary.data().length);
        float[] values = binary.floats();
        double[] expected = TestModels.affineExpected(x);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], values[i], 1e-5);
        }
    }

    @Test
    void infer_binaryDataOutputParameter_makesOutputsBinaryUnlessAskedOtherwise() throws Exception {
        HttpResponse<String> response = server().post("/v2/models/mixed/infer", """
                {"parameters": {"binary_data_output": true},
                 "inputs": [{"name": "a", "shape": [1, 3], "datatype": "INT32", "data": [1, 2, 3]},
                            {"name": "b", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}],
                 "outputs": [{"name": "neg"}, {"name": "sum", "parameters": {"binary_data": false}}]}""");

        assertEquals(200, response.statusCode());
        assertEquals("application/octet-stream", response.headers().firstValue("Content-Type").orElseThrow());
        int headerLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonNode outputs = ServerFixture.json(response.body().substring(0, headerLength)).get("outputs");
        assertEquals(12, outputs.get(1).get("parameters").get("binary_data_size").asInt(), "neg is binary");
        assertEquals("[2.0,4.0,6.0]", outputs.get(0).get("data").toString(), "sum stays JSON");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "BOOL  | [true,false,true,true]",
            "UINT8 | [0,1,254,255]",
            "INT8  | [-128,-1,0,127]",
            "INT16 | [-32768,-2,3,32767]",
            "INT32 | [-2147483648,-1,7,2147483647]",
            "INT64 | [-9223372036854775808,-1,0,9223372036854775807]",
            "FP32  | [3.4028235E38,1.4E-45,-0.1,2.5]",
            "FP64  | [1.7976931348623157E308,4.9E-324,-0.1,2.5]",
            "BYTES | [\"\",\"ascii\",\"ünïcødé\",\"a\\\\nb\"]"})
    void infer_identityJson_returnsEveryValueUnchanged(String datatype, String data) throws Exception {
        String model = "identity_" + switch (datatype) {
            case "FP32" -> "float";
            case "FP64" -> "double";
            case "BYTES" -> "string";
            default -> datatype.toLowerCase();
        };
        HttpResponse<String> response = server().post("/v2/models/" + model + "/infer",
                "{\"inputs\":[{\"name\":\"in\",\"shape\":[2,2],\"datatype\":\"" + datatype + "\",\"data\":" + data + "}]}");

        assertEquals(200, response.statusCode(), response.body());
        JsonNode out = ServerFixture.json(response.body()).get("outputs").get(0);
        assertEquals(datatype, out.get("datatype").asText());
        assertEquals("[2,2]", out.get("shape").toString());
        assertEquals(ServerFixture.json(data), out.get("data"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"FP16, identity_float16", "BF16, identity_bfloat16", "INT8, identity_int8", "FP64, identity_double"})
    void infer_identityBinary_returnsTheSameBytes(String datatype, String model) throws Exception {
        int elementSize = switch (datatype) {
            case "FP16", "BF16" -> 2;
            case "INT8" -> 1;
            default -> 8;
        };
        byte[] raw = new byte[3 * 5 * elementSize];
        new Random(42).nextBytes(raw);
        if (datatype.equals("FP64")) {
            for (int i = 7; i < raw.length; i += 8) {
                raw[i] &= 0x3F; // keep the doubles finite
            }
        }
        String header = "{\"inputs\":[{\"name\":\"in\",\"shape\":[3,5],\"datatype\":\"" + datatype
                + "\",\"parameters\":{\"binary_data_size\":" + raw.length + "}}],\"parameters\":{\"binary_data_output\":true}}";
        HttpResponse<byte[]> response = server().postBinary("/v2/models/" + model + "/infer", header, raw);

        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        assertArrayEquals(raw, BinaryResponse.of(response).data());
    }

    @Test
    void infer_bytesBinary_roundTripsLengthPrefixedElements() throws Exception {
        byte[] raw = {3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0};
        String header = "{\"inputs\":[{\"name\":\"in\",\"shape\":[1,2],\"datatype\":\"BYTES\","
                + "\"parameters\":{\"binary_data_size\":11}}],\"outputs\":[{\"name\":\"out\",\"parameters\":{\"binary_data\":true}}]}";
        HttpResponse<byte[]> response = server().postBinary("/v2/models/identity_string/infer", header, raw);

        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        assertArrayEquals(raw, BinaryResponse.of(response).data());
    }

    @Test
    void infer_fixedBatchModel_takesItsExactShape() throws Exception {
        HttpResponse<String> response = server().post("/v2/models/fixed/infer",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[-1,2,-3,4]}]}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("[0.0,2.0,0.0,4.0]", ServerFixture.json(response.body()).get("outputs").get(0).get("data").toString());

        HttpResponse<String> batched = server().post("/v2/models/fixed/infer",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8]}]}");
        assertEquals(400, batched.statusCode());
    }
}
