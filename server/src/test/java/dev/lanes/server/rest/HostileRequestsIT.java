package dev.lanes.server.rest;

import dev.lanes.runtime.testing.OnnxModelWriter.Elem;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.config.ManagementSettings;
import dev.lanes.server.config.ManagementSettings.ControlMode;
import dev.lanes.server.grpc.proto.InferParameter;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Well-framed requests with hostile contents (issue 17 items 4-6, 10 and 12): each gets a 4xx
 * that says what is wrong in the protocol's terms, never a 500, an alteration or a Jackson
 * setting, and the node keeps serving.
 */
class HostileRequestsIT {
    private static final String TOKEN = "hostile-test-token";
    private static final String AFFINE = "/v2/models/affine/infer";
    private static final String AFFINE_BODY =
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("affine", 1, TestModels.affine())
                    .model("text", 1, TestModels.identity(Elem.STRING))
                    .model("spare", 1, TestModels.affine())
                    .corrupt("broken", 1))
            .start(dir -> ServerFixture.start(dir, new ManagementSettings(ControlMode.EXPLICIT,
                    List.of("affine", "text"), Duration.ofSeconds(15), Optional.of(TOKEN), false)));
    static GrpcClient grpc;

    private static ServerFixture server() {
        return node.server();
    }

    private static Path repository() {
        return node.repository();
    }

    @BeforeAll
    static void start() throws Exception {
        grpc = new GrpcClient(server().server().grpcPort());
    }

    @AfterAll
    static void stop() throws Exception {
        grpc.close();
    }

    @AfterEach
    void nodeStillServes() throws Exception {
        HttpResponse<String> good = server().post(AFFINE, AFFINE_BODY);
        assertEquals(200, good.statusCode(), good.body());
    }

    private static String error(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        return ServerFixture.json(response.body()).get("error").asText();
    }

    /** BYTES elements as the binary extension and raw_input_contents carry them. */
    private static byte[] bytesElements(byte[]... elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] element : elements) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(element.length).array());
            out.writeBytes(element);
        }
        return out.toByteArray();
    }

    private static String textHeader(int elements, int bytes) {
        return "{\"inputs\":[{\"name\":\"in\",\"shape\":[1," + elements + "],\"datatype\":\"BYTES\","
                + "\"parameters\":{\"binary_data_size\":" + bytes + "}}],"
                + "\"outputs\":[{\"name\":\"out\",\"parameters\":{\"binary_data\":true}}]}";
    }

    @Test
    void bytesTensors_comeBackByteExact_overRestBinaryAndGrpc() throws Exception {
        byte[] data = bytesElements(new byte[]{0, 'a', 0}, "h\u00e9\uD83D\uDE00".getBytes(StandardCharsets.UTF_8),
                new byte[0]);
        HttpResponse<byte[]> rest = server().postBinary("/v2/models/text/infer", textHeader(3, data.length), data);
        assertEquals(200, rest.statusCode(), new String(rest.body(), StandardCharsets.UTF_8));
        int headerLength = Integer.parseInt(rest.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        assertArrayEquals(data, Arrays.copyOfRange(rest.body(), headerLength, rest.body().length));

        ModelInferResponse response = grpc.blocking().modelInfer(
                GrpcClient.rawRequest("text", "in", "BYTES", new long[]{1, 3}, data).build());
        assertArrayEquals(data, response.getRawOutputContents(0).toByteArray());
    }

    @Test
    void bytesThatAreNotUtf8_areRefused_notAltered() throws Exception {
        byte[] data = bytesElements(new byte[]{(byte) 0xff, (byte) 0xfe});
        HttpResponse<byte[]> rest = server().postBinary("/v2/models/text/infer", textHeader(1, data.length), data);
        assertEquals(400, rest.statusCode());
        assertTrue(new String(rest.body(), StandardCharsets.UTF_8).contains("not valid UTF-8"));

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> grpc.blocking().modelInfer(
                GrpcClient.rawRequest("text", "in", "BYTES", new long[]{1, 1}, data).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains("not valid UTF-8"));
    }

    @Test
    void bytesWithTrailingBytes_namesThem() throws Exception {
        byte[] data = Arrays.copyOf(bytesElements("ok".getBytes(StandardCharsets.UTF_8)), 8);
        HttpResponse<byte[]> rest = server().postBinary("/v2/models/text/infer", textHeader(1, data.length), data);
        assertEquals(400, rest.statusCode());
        assertTrue(new String(rest.body(), StandardCharsets.UTF_8).contains("do not form an element"),
                new String(rest.body(), StandardCharsets.UTF_8));
    }

    @Test
    void binaryDataSize_withoutTheHeaderLengthHeader_is400NamingIt() throws Exception {
        String message = error(server().post(AFFINE, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":16}}]}"), 400);
        assertTrue(message.contains("Inference-Header-Content-Length"), message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "garbage after the object|" + AFFINE_BODY + "xyz|more after its JSON object",
            "a second object|" + AFFINE_BODY + "{}|more after its JSON object",
            "NaN|{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[NaN,2,3,4]}]}|NaN",
    })
    void malformedJson_saysWhatAndWhere_notHowJacksonIsConfigured(String name, String body, String fragment)
            throws Exception {
        String message = error(server().post(AFFINE, body), 400);
        assertTrue(message.contains(fragment), message);
        assertFalse(message.contains("`") || message.contains("JsonReadFeature") || message.contains("StreamRead"),
                message);
    }

    @Test
    void aNumberLongerThanJacksonAllows_isRefusedWithoutItsSettingName() throws Exception {
        String message = error(server().post(AFFINE, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\","
                + "\"data\":[" + "1".repeat(2000) + ",2,3,4]}]}"), 400);
        assertFalse(message.contains("`") || message.contains("StreamReadConstraints"), message);
    }

    @Test
    void timeoutsOfAges_doNotWrapIntoThePast() throws Exception {
        for (String timeout : List.of("10000000000000000", "9223372036854775807", "18446744073709551615")) {
            HttpResponse<String> response = server().post(AFFINE, "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],"
                    + "\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"parameters\":{\"timeout\":" + timeout + "}}");
            assertEquals(200, response.statusCode(), timeout + ": " + response.body());
        }
        ModelInferRequest.Builder request = GrpcClient.rawRequest("affine", "x", "FP32", new long[]{1, 4},
                GrpcClient.floatBytes(1, 2, 3, 4));
        grpc.blocking().modelInfer(request.putParameters("timeout",
                InferParameter.newBuilder().setUint64Param(-1L).build()).build());
        grpc.blocking().modelInfer(request.putParameters("timeout",
                InferParameter.newBuilder().setInt64Param(Long.MAX_VALUE).build()).build());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "10000 instances|{\"instance_group\":[{\"count\":10000,\"kind\":\"KIND_CPU\"}]}|instance_group count must be between 1 and 128",
            "100000 intra-op threads|{\"parameters\":{\"intra_op_thread_count\":{\"string_value\":\"100000\"}}}|intra_op_thread_count must be an integer between 0 (default) and 256",
            "too many threads in all|{\"instance_group\":[{\"count\":100}],\"parameters\":{\"intra_op_thread_count\":{\"string_value\":\"200\"}}}|more than 1024 threads",
            "huge batch|{\"max_batch_size\":100000000}|max_batch_size must be between 0 and 65536",
            "huge queue|{\"max_batch_size\":8,\"dynamic_batching\":{\"default_queue_policy\":{\"max_queue_size\":1000000000}}}|max_queue_size must be between 1 and 1048576",
            "queue delay of hours|{\"max_batch_size\":8,\"dynamic_batching\":{\"max_queue_delay_microseconds\":36000000000}}|max_queue_delay_microseconds must be between 0 and 10000000",
    })
    void loadWithAnUnboundedConfiguration_is400NamingTheBound(String name, String config, String fragment)
            throws Exception {
        String body = "{\"parameters\":{\"config\":" + ServerFixture.JSON.writeValueAsString(config) + "}}";
        HttpResponse<byte[]> response = server().postBytes("/v2/repository/models/spare/load",
                body.getBytes(StandardCharsets.UTF_8), Map.of("Authorization", "Bearer " + TOKEN));
        String text = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(400, response.statusCode(), text);
        String message = ServerFixture.json(text).get("error").asText();
        assertTrue(message.contains(fragment), message);
    }

    @Test
    void loadFailures_doNotShowTheNodesFilesystem() throws Exception {
        HttpResponse<byte[]> load = server().postBytes("/v2/repository/models/broken/load", new byte[0],
                Map.of("Authorization", "Bearer " + TOKEN));
        String answer = new String(load.body(), StandardCharsets.UTF_8);
        assertTrue(load.statusCode() >= 400 && answer.contains("Protobuf parsing failed"), answer);
        assertFalse(answer.contains(repository().toAbsolutePath().toString()), answer);
    }
}
