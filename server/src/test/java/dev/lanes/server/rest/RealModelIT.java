package dev.lanes.server.rest;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.server.testing.BinaryRequests;
import dev.lanes.server.testing.BinaryResponse;
import dev.lanes.server.testing.ChildCommand;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Third-party models (PaddleOCR's text-direction classifier and text detector, fetched from npm
 * by bin/fetch-models, never committed) served by Lanes answer as ONNX Runtime does in-process.
 */
class RealModelIT {
    private static final Path MODELS = Path.of("..", ".models").toAbsolutePath().normalize();

    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> {
        fetchModels();
        for (String model : new String[]{"paddle_cls", "paddle_det"}) {
            Files.createDirectories(dir.resolve(model).resolve("1"));
            Files.copy(MODELS.resolve(model + ".onnx"), dir.resolve(model).resolve("1").resolve("model.onnx"));
        }
    }).start(dir -> ServerFixture.start(dir, true, 64L << 20, 16L << 20));

    private static ServerFixture server() {
        return node.server();
    }

    private static void fetchModels() throws IOException, InterruptedException {
        ChildCommand.Outcome fetch = ChildCommand.run(List.of(Path.of("..", "bin", "fetch-models").toString(),
                MODELS.toString()));
        assertTrue(fetch.succeeded(), "bin/fetch-models failed; it needs npm and the npm registry:\n" + fetch.output());
    }

    private static float[] input(int length, long seed) {
        Random random = new Random(seed);
        float[] values = new float[length];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return values;
    }

    private static float[] inProcess(String model, String inputName, float[] x, long[] shape) throws Exception {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(MODELS.resolve(model + ".onnx").toString());
             OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(x), shape);
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[output.remaining()];
            output.get(values);
            return values;
        }
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4f, "element " + i);
        }
    }

    @Test
    void paddleCls_jsonRequest_matchesInProcessRuntime() throws Exception {
        float[] x = input(3 * 48 * 192, 1);
        StringBuilder data = new StringBuilder();
        for (float value : x) {
            data.append(data.isEmpty() ? "" : ",").append(value);
        }
        HttpResponse<String> response = server().post("/v2/models/paddle_cls/infer",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,48,192],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}");

        assertEquals(200, response.statusCode(), response.body());
        JsonNode output = ServerFixture.json(response.body()).get("outputs").get(0);
        assertEquals("softmax_0.tmp_0", output.get("name").asText());
        assertEquals("[1,2]", output.get("shape").toString());
        float[] served = {(float) output.get("data").get(0).asDouble(), (float) output.get("data").get(1).asDouble()};
        assertArrayEquals(inProcess("paddle_cls", "x", x, new long[]{1, 3, 48, 192}), served, 1e-5f);
    }

    @Test
    void paddleDet_binaryRequest_matchesInProcessRuntime() throws Exception {
        float[] x = input(3 * 640 * 640, 2);
        byte[] raw = BinaryRequests.floats(x);
        String header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,640,640],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + raw.length + "}}],\"parameters\":{\"binary_data_output\":true}}";
        HttpResponse<byte[]> response = server().postBinary("/v2/models/paddle_det/infer", header, raw);

        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        BinaryResponse binary = BinaryResponse.of(response);
        assertEquals("[1,1,640,640]", binary.json().get("outputs").get(0).get("shape").toString());
        float[] served = binary.floats();
        assertClose(inProcess("paddle_det", "x", x, new long[]{1, 3, 640, 640}), served);
    }

    @Test
    void paddleCls_batchOfFour_matchesFourSingleRuns() throws Exception {
        float[] x = input(4 * 3 * 48 * 192, 3);
        byte[] raw = BinaryRequests.floats(x);
        String header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[4,3,48,192],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + raw.length + "}}],\"parameters\":{\"binary_data_output\":true}}";
        HttpResponse<byte[]> response = server().postBinary("/v2/models/paddle_cls/infer", header, raw);

        assertEquals(200, response.statusCode());
        float[] served = BinaryResponse.of(response).floats();
        assertClose(inProcess("paddle_cls", "x", x, new long[]{4, 3, 48, 192}), served);
    }
}
