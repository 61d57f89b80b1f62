package dev.lanes.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.Await;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.config.ManagementSettings;
import dev.lanes.server.config.ManagementSettings.ControlMode;
import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import dev.lanes.server.grpc.proto.ModelRepositoryParameter;
import dev.lanes.server.grpc.proto.RepositoryIndexRequest;
import dev.lanes.server.grpc.proto.RepositoryModelLoadRequest;
import dev.lanes.server.grpc.proto.RepositoryModelUnloadRequest;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Triton's model repository extension in control mode explicit, behind a management token: load,
 * reload with a config override and unload over REST and gRPC, under continuous load.
 */
class RepositoryControlIT {
    private static final String TOKEN = "s3cret-token";
    private static final Map<String, String> AUTHORIZED = Map.of("Authorization", "Bearer " + TOKEN,
            "Content-Type", "application/json");

    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("live", 1, TestModels.affine())
                    .model("spare", 1, TestModels.affine())
                    .model("churn", 1, TestModels.affine())
                    .model("fragile", 1, TestModels.affine()))
            .start(dir -> ServerFixture.start(dir, new ManagementSettings(ControlMode.EXPLICIT,
                    List.of("live", "churn", "fragile"),
                    Duration.ofSeconds(15), Optional.of(TOKEN), false)));
    static GrpcClient grpc;

    private static ServerFixture server() {
        return node.server();
    }

    /** The node's repository, for tests that add or break model versions in it. */
    private static TestRepository files() {
        return new TestRepository(node.repository());
    }

    @BeforeAll
    static void start() throws Exception {
        grpc = new GrpcClient(server().server().grpcPort());
    }

    @AfterAll
    static void stop() throws Exception {
        grpc.close();
    }

    private static HttpResponse<byte[]> manage(String path, String body, Map<String, String> headers) throws Exception {
        return server().postBytes(path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static GRPCInferenceServiceBlockingStub withToken(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return grpc.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static String oneRow() {
        return "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";
    }

    private static Map<String, String> indexStates() throws Exception {
        Map<String, String> states = new ConcurrentHashMap<>();
        for (JsonNode row : ServerFixture.json(server().post("/v2/repository/index", "").body())) {
            states.put(row.get("name").asText(), row.get("state").asText() + ":" + row.get("reason").asText());
        }
        return states;
    }

    @Test
    void explicitMode_loadsNamedModels_thenLoadAndUnloadThroughTheApi() throws Exception {
        assertEquals("UNAVAILABLE:not loaded", indexStates().get("spare"));
        assertEquals("READY:", indexStates().get("live"));
        assertEquals(404, server().post("/v2/models/spare/infer", oneRow()).statusCode());

        HttpResponse<byte[]> loaded = manage("/v2/repository/models/spare/load", "", AUTHORIZED);
        assertEquals(200, loaded.statusCode(), text(loaded));
        assertEquals(200, server().post("/v2/models/spare/infer", oneRow()).statusCode());

        assertEquals(200, manage("/v2/repository/models/spare/unload", "{}", AUTHORIZED).statusCode());
        assertEquals(404, server().post("/v2/models/spare/infer", oneRow()).statusCode());
        assertEquals("UNAVAILABLE:unloaded", indexStates().get("spare"));

        withToken(TOKEN).repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("spare").build());
        assertTrue(grpc.blocking().repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build())
                .getModelsList().stream().anyMatch(row -> row.getName().equals("spare") && row.getState().equals("READY")));
        withToken(TOKEN).repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("spare").build());
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> grpc.blocking()
                .modelInfer(GrpcClient.rawRequest("spare", "x", "FP32", new long[]{1, 4},
                        GrpcClient.floatBytes(1, 2, 3, 4)).build()));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    }

    @Test
    void management_needsTheToken_inferenceStaysOpen() throws Exception {
        HttpResponse<byte[]> anonymous = manage("/v2/repository/models/spare/load", "", Map.of());
        assertEquals(401, anonymous.statusCode());
        assertEquals("Bearer", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
        assertTrue(ServerFixture.json(text(anonymous)).get("error").asText().contains("Bearer"));
        assertEquals(403, manage("/v2/repository/models/spare/unload", "",
                Map.of("Authorization", "Bearer wrong")).statusCode());

        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class, () -> grpc.blocking()
                .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("spare").build()))
                .getStatus().getCode());
        assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(StatusRuntimeException.class, () -> withToken("wrong")
                .repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("live").build()))
                .getStatus().getCode());

        assertEquals(200, server().post("/v2/models/live/infer", oneRow()).statusCode());
        assertEquals(200, server().post("/v2/repository/index", "").statusCode());
        assertEquals(200, server().get("/v2/models/live/ready").statusCode());
    }

    @Test
    void badNamesAndParameters_areRefused_andTheServingModelIsUntouched() throws Exception {
        assertEquals(400, manage("/v2/repository/models/.hidden/load", "", AUTHORIZED).statusCode());
        assertEquals(400, manage("/v2/repository/models/..%5Cetc/load", "", AUTHORIZED).statusCode());
        assertEquals(404, manage("/v2/repository/models/absent/load", "", AUTHORIZED).statusCode());
        assertEquals(400, manage("/v2/repository/models/live/load",
                "{\"parameters\":{\"file:1/model.onnx\":\"AAAA\"}}", AUTHORIZED).statusCode());
        assertEquals(400, manage("/v2/repository/models/live/load",
                "{\"parameters\":{\"config\":\"{not json\"}}", AUTHORIZED).statusCode());
        assertEquals(400, manage("/v2/repository/models/live/load", "{\"parameters\":", AUTHORIZED).statusCode());
        String huge = "{\\\"name\\\":\\\"live\\\",\\\"platform\\\":\\\"" + "x".repeat(1 << 20) + "\\\"}";
        assertEquals(413, manage("/v2/repository/models/live/load",
                "{\"parameters\":{\"config\":\"" + huge + "\"}}", AUTHORIZED).statusCode());
        HttpResponse<byte[]> otherName = manage("/v2/repository/models/live/load",
                "{\"parameters\":{\"config\":\"{\\\"name\\\":\\\"other\\\"}\"}}", AUTHORIZED);
        assertEquals(400, otherName.statusCode());
        assertTrue(text(otherName).contains("failed to load 'live'"), text(otherName));

        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, () -> withToken(TOKEN)
                .repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("../live").build()))
                .getStatus().getCode());
        assertEquals(200, server().post("/v2/models/live/infer", oneRow()).statusCode());
    }

    @Test
    void corruptNewVersion_leavesTheOldOneServing() throws Exception {
        files().corrupt("fragile", 2);
        HttpResponse<byte[]> failed = manage("/v2/repository/models/fragile/load", "", AUTHORIZED);
        assertEquals(400, failed.statusCode());
        assertTrue(text(failed).contains("failed to load 'fragile'") && text(failed).contains("version 2"), text(failed));
        assertEquals(200, server().post("/v2/models/fragile/infer", oneRow()).statusCode());
        assertEquals("1", ServerFixture.json(server().get("/v2/models/fragile").body()).get("versions").get(0).asText());
    }

    /**
     * Clients keep sending to "churn" over REST and gRPC while it gets a new version, a reload
     * with a config override over gRPC, and finally an unload with requests in its queue: nothing
     * fails before the unload, and every request gets an answer.
     */
    @Test
    void underContinuousLoad_reloadsLoseNothing_andOnlyRequestsAfterTheUnloadFail() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean unloaded = new AtomicBoolean(false);
        AtomicLong answered = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong refusedAfterUnload = new AtomicLong(); // 404 / NOT_FOUND once the unload began
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> loops = new ArrayList<>();
            for (int client = 0; client < 12; client++) {
                boolean overGrpc = client % 2 == 1;
                loops.add(clients.submit(() -> {
                    while (running.get()) {
                        String outcome;
                        if (overGrpc) {
                            try {
                                ModelInferResponse response = grpc.blocking().modelInfer(GrpcClient.rawRequest("churn", "x",
                                        "FP32", new long[]{1, 4}, GrpcClient.floatBytes(1, 2, 3, 4)).build());
                                float[] y = GrpcClient.floats(response.getRawOutputContents(0));
                                outcome = Math.abs(y[0] - TestModels.affineExpected(new float[]{1, 2, 3, 4})[0]) < 1e-4
                                        ? "ok" : "wrong output";
                            } catch (StatusRuntimeException e) {
                                outcome = e.getStatus().getCode().name();
                            }
                        } else {
                            try {
                                outcome = Integer.toString(server().post("/v2/models/churn/infer", oneRow()).statusCode());
                                outcome = outcome.equals("200") ? "ok" : outcome;
                            } catch (Exception e) {
                                outcome = e.toString();
                            }
                        }
                        // Read after the answer: the flag is set before the unload is sent, so a 404 that
                        // the unload caused always sees it; one seen before it would be a real failure.
                        boolean sentAfterUnload = unloaded.get();
                        if (outcome.equals("ok")) {
                            answered.incrementAndGet();
                        } else if (sentAfterUnload && (outcome.equals("404") || outcome.equals("NOT_FOUND"))) {
                            refusedAfterUnload.incrementAndGet();
                        } else {
                            failures.add(outcome + (sentAfterUnload ? " (after unload)" : ""));
                        }
                    }
                }));
            }
            awaitMoreAnswers(answered, 100);

            files().model("churn", 2, TestModels.affine());
            assertEquals(200, manage("/v2/repository/models/churn/load", "", AUTHORIZED).statusCode());
            assertEquals(200, server().get("/v2/models/churn/versions/2/ready").statusCode());
            awaitMoreAnswers(answered, 100);

            withToken(TOKEN).repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("churn")
                    .putParameters("config", ModelRepositoryParameter.newBuilder()
                            .setStringParam("{\"max_batch_size\": 4, \"instance_group\": [{\"count\": 2}],"
                                    + " \"dynamic_batching\": {\"max_queue_delay_microseconds\": 2000}}").build())
                    .build());
            JsonNode config = ServerFixture.json(server().get("/v2/models/churn/config").body());
            assertEquals(4, config.get("max_batch_size").asInt());
            assertEquals(2, config.get("instance_group").get(0).get("count").asInt());
            awaitMoreAnswers(answered, 100);

            unloaded.set(true);
            assertEquals(200, manage("/v2/repository/models/churn/unload", "", AUTHORIZED).statusCode());
            Await.until(() -> refusedAfterUnload.get() >= 20, Duration.ofSeconds(30),
                    "requests after the unload are 404/NOT_FOUND");
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(60, TimeUnit.SECONDS);
            }
        }
        assertTrue(failures.isEmpty(), "failed requests: " + failures);
        assertTrue(refusedAfterUnload.get() >= 20, "requests after the unload are 404/NOT_FOUND");
        assertEquals(0, server().metric("inference_queue_length{model=\"churn\"}"), "nothing left queued");
    }

    private static void awaitStatus(ServerFixture node, String path, int status, String what) throws Exception {
        Await.until(() -> node.get(path).statusCode() == status, Duration.ofSeconds(30), what);
    }

    private static void awaitMoreAnswers(AtomicLong answered, long more) throws Exception {
        long target = answered.get() + more;
        Await.until(() -> answered.get() >= target, Duration.ofSeconds(60), "the load kept being answered");
    }

    @Test
    void otherControlModes_refuseTheApi_andPollModeAppliesNewVersions(@TempDir Path other) throws Exception {
        TestRepository otherFiles = new TestRepository(other).model("m", 1, TestModels.affine());
        try (ServerFixture none = ServerFixture.start(other, true)) {
            HttpResponse<byte[]> refused = none.postBytes("/v2/repository/models/m/load", new byte[0], Map.of());
            assertEquals(400, refused.statusCode());
            assertTrue(text(refused).contains("--model-control-mode explicit"), text(refused));
        }
        try (ServerFixture polling = ServerFixture.start(other, new ManagementSettings(ControlMode.POLL, List.of(),
                Duration.ofMillis(100), Optional.empty(), false))) {
            assertEquals(400, polling.postBytes("/v2/repository/models/m/unload", new byte[0], Map.of()).statusCode());
            otherFiles.model("m", 2, TestModels.affine());
            awaitStatus(polling, "/v2/models/m/versions/2/ready", 200, "the poller loads a new version");
            otherFiles.config("m", "max_batch_size: 3\n");
            Await.until(() -> ServerFixture.json(polling.get("/v2/models/m/config").body())
                    .get("max_batch_size").asInt() == 3, Duration.ofSeconds(30), "the poller applies a changed config.pbtxt");
            otherFiles.model("n", 1, TestModels.affine());
            awaitStatus(polling, "/v2/models/n/ready", 200, "the poller loads a new model directory");
            try (var tree = java.nio.file.Files.walk(other.resolve("n"))) {
                tree.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
            awaitStatus(polling, "/v2/models/n/ready", 404, "the poller unloads a removed model directory");
        }
    }
}
