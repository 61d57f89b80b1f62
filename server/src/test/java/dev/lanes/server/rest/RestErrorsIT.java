package dev.lanes.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.OnnxModelWriter.Elem;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.BinaryRequests;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every bad request gets a clear error and the node keeps serving. */
class RestErrorsIT {
    private static final String AFFINE = "/v2/models/affine/infer";

    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("affine", 1, TestModels.affine())
                    .model("identity_float16", 1, TestModels.identity(Elem.FLOAT16))
                    .corrupt("broken", 1))
            .start(dir -> ServerFixture.start(dir, false, 64 * 1024, 1000));

    private static ServerFixture server() {
        return node.server();
    }

    @AfterEach
    void nodeStillServes() throws Exception {
        assertEquals(200, server().get("/v2/health/live").statusCode());
        HttpResponse<String> good = server().post(AFFINE,
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
        assertEquals(200, good.statusCode(), good.body());
    }

    private static String error(HttpResponse<String> response) throws Exception {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = ServerFixture.json(response.body());
        assertEquals(1, body.size(), "only the error field: " + response.body());
        return body.get("error").asText();
    }

    @ParameterizedTest(name = "{2}: {0}")
    @CsvSource(delimiter = '|', value = {
            "{\"inputs\": [                                                                         | 400 | malformed JSON",
            "[1, 2]                                                                                 | 400 | JSON object",
            "{\"outputs\": []}                                                                      | 400 | no 'inputs'",
            "{\"inputs\": []}                                                                       | 400 | missing input 'x'",
            "{\"inputs\":[{\"name\":\"z\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]} | 400 | unexpected inference input 'z'",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"INT32\",\"data\":[1,2,3,4]}]} | 400 | datatype INT32",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FLOAT\",\"data\":[1,2,3,4]}]} | 400 | invalid datatype 'FLOAT'",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}   | 400 | has 3 elements",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5]}]} | 400 | more elements",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,5],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5]}]} | 400 | shape [1, 5]",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[-1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]} | 400 | invalid shape",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,\"a\",3,4]}]} | 400 | must be numbers",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\"}]}                     | 400 | no 'data'",
            "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}                  | 400 | needs 'name', 'shape' and 'datatype'",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"outputs\":[{\"name\":\"q\"}]} | 400 | unexpected inference output 'q'",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"parameters\":{\"timeout\":-5}} | 400 | timeout",
            "{\"inputs\":[{\"name\":\"x\",\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]} | 400 | Duplicate field",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[9,4],\"datatype\":\"FP32\",\"data\":[1]}]}       | 400 | max_batch_size",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[300,4],\"datatype\":\"FP32\",\"data\":[1]}]}     | 413 | more than 1000 elements",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[4611686018427387904,4],\"datatype\":\"FP32\",\"data\":[1]}]} | 413 | the limit"})
    void infer_badRequest_answersStatusAndNamesTheProblem(String body, int status, String fragment) throws Exception {
        HttpResponse<String> response = server().post(AFFINE, body);
        assertEquals(status, response.statusCode(), response.body());
        String message = error(response);
        assertTrue(message.contains(fragment), () -> "'" + message + "' should mention '" + fragment + "'");
    }

    @Test
    void infer_fp16AsJson_isRefusedNamingTheBinaryExtension() throws Exception {
        HttpResponse<String> response = server().post("/v2/models/identity_float16/infer",
                "{\"inputs\":[{\"name\":\"in\",\"shape\":[1,1],\"datatype\":\"FP16\",\"data\":[1.0]}]}");
        assertEquals(400, response.statusCode());
        assertTrue(error(response).contains("binary data"));
    }

    @Test
    void infer_unknownModelOrVersion_is404WithTritonWording() throws Exception {
        HttpResponse<String> model = server().post("/v2/models/nope/infer", "{}");
        assertEquals(404, model.statusCode());
        assertEquals("Request for unknown model: 'nope' is not found", error(model));

        HttpResponse<String> version = server().post("/v2/models/affine/versions/7/infer", "{}");
        assertEquals(404, version.statusCode());
        assertTrue(error(version).contains("version 7"));

        assertEquals(400, server().post("/v2/models/affine/versions/one/infer", "{}").statusCode());
    }

    @Test
    void infer_bodyOverLimit_is413_everyTime() throws Exception {
        // The client is still sending when the 413 comes; a node that closed at once reset the
        // connection and lost about one answer in fifteen, so one try would not show it.
        String padding = " ".repeat(70 * 1024);
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> response = server().post(AFFINE,
                    "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}"
                            + padding);
            assertEquals(413, response.statusCode());
            assertTrue(error(response).contains("limit"));
        }
    }

    @Test
    void refusedBody_isDroppedOnlyUpToABound_thenTheConnectionCloses() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server().server().port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + AFFINE + " HTTP/1.1\r\nHost: a\r\nContent-Length: 1073741824\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertTrue(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)
                    .startsWith("HTTP/1.1 413"));
            // the node drops at most 1 MiB (its 64 KiB limit is less) of a refused body, then closes
            byte[] piece = new byte[64 << 10];
            long sent = 0;
            try {
                while (sent < 1L << 30) {
                    out.write(piece);
                    sent += piece.length;
                }
                fail("the node read all of a 1 GiB body it had refused");
            } catch (IOException reset) {
                assertTrue(sent < 64L << 20, "the node dropped " + sent + " bytes before it closed");
            }
        }
    }

    @Test
    void infer_binarySizeMismatches_are400() throws Exception {
        String header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":12}}]}";
        HttpResponse<byte[]> wrongSize = server().postBinary(AFFINE, header, new byte[12]);
        assertEquals(400, wrongSize.statusCode());
        assertTrue(new String(wrongSize.body(), StandardCharsets.UTF_8).contains("needs 16 bytes"));

        String header16 = header.replace("12", "16");
        HttpResponse<byte[]> shortBody = server().postBinary(AFFINE, header16, new byte[10]);
        assertEquals(400, shortBody.statusCode());

        HttpResponse<byte[]> badHeader = server().postBytes(AFFINE, BinaryRequests.body(header16, new byte[16]),
                Map.of("Inference-Header-Content-Length", "lots"));
        assertEquals(400, badHeader.statusCode());

        HttpResponse<byte[]> headerTooLong = server().postBytes(AFFINE, BinaryRequests.body(header16, new byte[16]),
                Map.of("Inference-Header-Content-Length", "100000"));
        assertEquals(400, headerTooLong.statusCode());
    }

    @Test
    void corruptModel_reportsReasonAndAnswers503WithRetryAfter() throws Exception {
        HttpResponse<String> ready = server().get("/v2/models/broken/ready");
        assertEquals(503, ready.statusCode());
        HttpResponse<String> infer = server().post("/v2/models/broken/infer", "{}");
        assertEquals(503, infer.statusCode());
        assertEquals("1", infer.headers().firstValue("Retry-After").orElseThrow());

        JsonNode index = ServerFixture.json(server().post("/v2/repository/index", "").body());
        JsonNode broken = null;
        for (JsonNode entry : index) {
            if (entry.get("name").asText().equals("broken")) {
                broken = entry;
            }
        }
        assertEquals("UNAVAILABLE", broken.get("state").asText());
        assertTrue(broken.get("reason").asText().length() > 5, broken.toString());
        assertEquals(200, server().get("/v2/health/ready").statusCode(), "not strict: the other models serve");

        JsonNode readyOnly = ServerFixture.json(server().post("/v2/repository/index", "{\"ready\": true}").body());
        assertEquals(2, readyOnly.size(), readyOnly.toString());
        readyOnly.forEach(entry -> assertEquals("READY", entry.get("state").asText()));
        assertEquals(400, server().post("/v2/repository/index", "{\"ready\": 3}").statusCode());
    }

    @Test
    void unknownEndpoint_is404Json() throws Exception {
        HttpResponse<String> response = server().get("/v2/nothing/here");
        assertEquals(404, response.statusCode());
        assertTrue(error(response).contains("/v2/nothing/here"));
    }
}
