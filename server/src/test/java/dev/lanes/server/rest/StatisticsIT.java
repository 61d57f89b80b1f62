package dev.lanes.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.grpc.proto.ModelStatistics;
import dev.lanes.server.grpc.proto.ModelStatisticsRequest;
import dev.lanes.server.grpc.proto.ModelStatisticsResponse;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Triton's statistics extension over REST and gRPC: the counts follow the requests actually sent,
 * executions match the batch meter, and both protocols report the same figures.
 */
class StatisticsIT {
    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("plain", 1, TestModels.affine())
                    .model("plain", 2, TestModels.affine())
                    .config("plain", "version_policy: { all: {} }\ndynamic_batching { max_queue_delay_microseconds: 2000 }\n")
                    .model("cached", 1, TestModels.affine()).config("cached", "response_cache { enable: true }\n")
                    .model("failing", 1, TestModels.failingAtRunTime()))
            .start(dir -> ServerFixture.start(dir, true));
    static GrpcClient grpc;

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

    private static String oneRow(float first) {
        return "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[" + first + ",2,3,4]}]}";
    }

    private static JsonNode stats(String path) throws Exception {
        var response = server().get(path);
        assertEquals(200, response.statusCode(), response.body());
        return ServerFixture.json(response.body()).get("model_stats");
    }

    private static long count(JsonNode model, String duration) {
        return model.get("inference_stats").get(duration).get("count").asLong();
    }

    private static long nanos(JsonNode model, String duration) {
        return model.get("inference_stats").get(duration).get("ns").asLong();
    }

    @Test
    void concurrentRequests_areCountedPerVersion_andExecutionsMatchTheBatchMeter() throws Exception {
        long before = System.currentTimeMillis();
        int toVersion1 = 24;
        int toVersion2 = 5;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < toVersion1; i++) {
                float value = i;
                answers.add(clients.submit(() ->
                        server().post("/v2/models/plain/versions/1/infer", oneRow(value)).statusCode()));
            }
            for (int i = 0; i < toVersion2; i++) {
                float value = i;
                answers.add(clients.submit(() ->
                        server().post("/v2/models/plain/versions/2/infer", oneRow(value)).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get());
            }
        }

        JsonNode versions = stats("/v2/models/plain/stats");
        assertEquals(2, versions.size(), "every served version: " + versions);
        long executions = 0;
        for (JsonNode version : versions) {
            int sent = version.get("version").asText().equals("1") ? toVersion1 : toVersion2;
            assertEquals("plain", version.get("name").asText());
            assertEquals(sent, count(version, "success"));
            assertEquals(sent, count(version, "queue"), "every request waited in the batch queue");
            assertEquals(sent, count(version, "compute_infer"), "compute counts are per request, as Triton's");
            assertEquals(0, count(version, "fail"));
            assertEquals(0, count(version, "cache_hit"), "caching is off for this model");
            assertEquals(sent, version.get("inference_count").asLong(), "one row per request");
            assertTrue(nanos(version, "success") > 0);
            assertTrue(version.get("last_inference").asLong() >= before);

            long executionCount = version.get("execution_count").asLong();
            long batchedExecutions = 0;
            long batchedRows = 0;
            for (JsonNode batch : version.get("batch_stats")) {
                long runs = batch.get("compute_infer").get("count").asLong();
                batchedExecutions += runs;
                batchedRows += runs * batch.get("batch_size").asLong();
            }
            assertEquals(executionCount, batchedExecutions, "batch_stats cover every execution");
            assertEquals(sent, batchedRows, "the batch sizes add up to the rows run");
            executions += executionCount;
        }
        assertEquals(server().metric("inference_batch_size_count{model=\"plain\"}"), executions,
                "executions are the batches the metrics count");

        JsonNode one = stats("/v2/models/plain/versions/2/stats");
        assertEquals(1, one.size());
        assertEquals(toVersion2, count(one.get(0), "success"));

        ModelStatisticsResponse overGrpc = grpc.blocking().modelStatistics(
                ModelStatisticsRequest.newBuilder().setName("plain").build());
        assertEquals(2, overGrpc.getModelStatsCount());
        for (int i = 0; i < 2; i++) {
            ModelStatistics fromGrpc = overGrpc.getModelStats(i);
            JsonNode fromRest = versions.get(i);
            assertEquals(fromRest.get("version").asText(), fromGrpc.getVersion());
            assertEquals(count(fromRest, "success"), fromGrpc.getInferenceStats().getSuccess().getCount());
            assertEquals(nanos(fromRest, "compute_infer"), fromGrpc.getInferenceStats().getComputeInfer().getNs());
            assertEquals(fromRest.get("execution_count").asLong(), fromGrpc.getExecutionCount());
            assertEquals(fromRest.get("batch_stats").size(), fromGrpc.getBatchStatsCount());
        }
    }

    @Test
    void cacheHits_countAsSuccessesWithoutRunningTheModel() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, server().post("/v2/models/cached/infer", oneRow(9)).statusCode());
        }
        JsonNode cached = stats("/v2/models/cached/versions/1/stats").get(0);
        assertEquals(3, count(cached, "success"));
        assertEquals(2, count(cached, "cache_hit"));
        assertEquals(1, count(cached, "cache_miss"));
        assertEquals(1, cached.get("inference_count").asLong(), "hits never reach the model");
        assertEquals(1, cached.get("execution_count").asLong());
    }

    @Test
    void failures_areCounted_andZeroFiguresAreWrittenOut() throws Exception {
        String twoRows = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8]}]}";
        assertEquals(500, server().post("/v2/models/failing/infer", twoRows).statusCode());
        assertEquals(500, server().post("/v2/models/failing/infer", twoRows).statusCode());
        JsonNode failing = stats("/v2/models/failing/stats").get(0);
        assertEquals(2, count(failing, "fail"));
        assertTrue(nanos(failing, "fail") > 0);
        assertEquals(0, count(failing, "success"));
        assertEquals(0, failing.get("execution_count").asLong());
        assertEquals(0, server().metric("inference_batch_size_count{model=\"failing\"}"),
                "failed executions are left out of /metrics too, so the two agree");
        assertEquals(0, failing.get("last_inference").asLong(), "no request has succeeded");
        assertEquals("{\"count\":0,\"ns\":0}", failing.get("inference_stats").get("cache_hit").toString(),
                "zero figures are present, as Triton writes them");
        assertEquals("[]", failing.get("batch_stats").toString());
    }

    @Test
    void allModels_unknownModels_andBadVersions() throws Exception {
        List<String> names = new ArrayList<>();
        stats("/v2/models/stats").forEach(model -> names.add(model.get("name").asText() + "/" + model.get("version").asText()));
        assertEquals(List.of("cached/1", "failing/1", "plain/1", "plain/2"), names);

        assertEquals(404, server().get("/v2/models/nope/stats").statusCode());
        assertEquals(404, server().get("/v2/models/plain/versions/7/stats").statusCode());
        assertEquals(400, server().get("/v2/models/plain/versions/latest/stats").statusCode());
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> grpc.blocking()
                .modelStatistics(ModelStatisticsRequest.newBuilder().setName("nope").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertEquals(4, grpc.blocking().modelStatistics(ModelStatisticsRequest.getDefaultInstance()).getModelStatsCount());
        assertTrue(ServerFixture.json(server().get("/v2").body()).get("extensions").toString().contains("\"statistics\""));
    }
}
