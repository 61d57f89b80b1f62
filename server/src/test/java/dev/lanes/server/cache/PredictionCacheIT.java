package dev.lanes.server.cache;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.grpc.proto.InferParameter;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import dev.lanes.server.testing.BinaryResponse;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The in-process prediction cache through the server, over REST JSON, REST binary and gRPC. */
class PredictionCacheIT {
    private static final String CACHE_ON = "response_cache { enable: true }\n";

    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("cached", 1, TestModels.affine()).config("cached", CACHE_ON)
                    .model("uncached", 1, TestModels.affine())
                    .model("failing", 1, TestModels.failingAtRunTime()).config("failing", CACHE_ON))
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

    private static String json(String id, float a, String extraParameters) {
        return "{\"id\":\"" + id + "\"" + extraParameters + ",\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\","
                + "\"data\":[" + a + ",2,3,4]}]}";
    }

    private static double batches(String model) throws Exception {
        return server().metric("inference_batch_size_count{model=\"" + model + "\"}");
    }

    private static double cacheRequests(String model, String result) throws Exception {
        return server().metric("inference_cache_requests_total{model=\"" + model + "\",result=\"" + result + "\"}");
    }

    @Test
    void repeatedRequest_isAHitOnEveryProtocol_withIdenticalOutputsAndItsOwnId() throws Exception {
        double batchesBefore = batches("cached");
        double hitsBefore = cacheRequests("cached", "hit");

        HttpResponse<String> first = server().post("/v2/models/cached/infer", json("first", 7, ""));
        HttpResponse<String> second = server().post("/v2/models/cached/infer", json("second", 7, ""));
        assertEquals(200, second.statusCode(), second.body());
        JsonNode firstBody = ServerFixture.json(first.body());
        JsonNode secondBody = ServerFixture.json(second.body());
        assertEquals("second", secondBody.get("id").asText(), "the id is the request's, never the cache's");
        assertEquals(firstBody.get("outputs"), secondBody.get("outputs"));

        String header = "{\"id\":\"binary\",\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":16}}],\"parameters\":{\"binary_data_output\":true}}";
        BinaryResponse binary = BinaryResponse.of(server().postBinary("/v2/models/cached/infer", header,
                GrpcClient.floatBytes(7, 2, 3, 4)));
        ModelInferResponse viaGrpc = grpc.blocking().modelInfer(GrpcClient.rawRequest("cached", "x", "FP32",
                new long[]{1, 4}, GrpcClient.floatBytes(7, 2, 3, 4)).setId("grpc").build());
        assertEquals("grpc", viaGrpc.getId());
        assertArrayEquals(binary.data(), viaGrpc.getRawOutputContents(0).toByteArray());
        float[] fromJson = new float[3];
        for (int i = 0; i < 3; i++) {
            fromJson[i] = Float.parseFloat(firstBody.get("outputs").get(0).get("data").get(i).asText());
        }
        assertArrayEquals(fromJson, binary.floats());

        assertEquals(1, batches("cached") - batchesBefore, "the model ran once for four requests");
        assertEquals(3, cacheRequests("cached", "hit") - hitsBefore);
    }

    @Test
    void modelWithoutResponseCache_andBypassParameter_runTheModelEveryTime() throws Exception {
        double uncachedBefore = batches("uncached");
        server().post("/v2/models/uncached/infer", json("a", 8, ""));
        server().post("/v2/models/uncached/infer", json("b", 8, ""));
        assertEquals(2, batches("uncached") - uncachedBefore);
        assertEquals(0, cacheRequests("uncached", "miss") + cacheRequests("uncached", "hit"));

        server().post("/v2/models/cached/infer", json("warm", 9, ""));
        double cachedBefore = batches("cached");
        HttpResponse<String> bypass = server().post("/v2/models/cached/infer",
                json("bypass", 9, ",\"parameters\":{\"cache_bypass\":true}"));
        assertEquals(200, bypass.statusCode(), bypass.body());
        grpc.blocking().modelInfer(GrpcClient.rawRequest("cached", "x", "FP32", new long[]{1, 4},
                GrpcClient.floatBytes(9, 2, 3, 4)).putParameters("cache_bypass",
                InferParameter.newBuilder().setBoolParam(true).build()).build());
        assertEquals(2, batches("cached") - cachedBefore);
    }

    @Test
    void concurrentIdenticalMisses_runTheModelOnce() throws Exception {
        double rowsBefore = server().metric("inference_batch_size_sum{model=\"cached\"}");
        int callers = 64;
        List<Future<String>> answers = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                answers.add(threads.submit(() -> {
                    start.await();
                    HttpResponse<String> response = server().post("/v2/models/cached/infer", json("same", 123, ""));
                    assertEquals(200, response.statusCode(), response.body());
                    return ServerFixture.json(response.body()).get("outputs").toString();
                }));
            }
            start.countDown();
            String first = answers.get(0).get();
            for (Future<String> answer : answers) {
                assertEquals(first, answer.get());
            }
        }
        assertEquals(1, server().metric("inference_batch_size_sum{model=\"cached\"}") - rowsBefore,
                "one row ran for " + callers + " identical requests");
    }

    @Test
    void failures_areNeverStored() throws Exception {
        String failed = "inference_requests_total{model=\"failing\",outcome=\"runtime_failure\",protocol=\"rest\"}";
        double before = server().metric(failed);
        String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8]}]}";
        assertEquals(500, server().post("/v2/models/failing/infer", body).statusCode());
        assertEquals(500, server().post("/v2/models/failing/infer", body).statusCode());
        assertEquals(2, server().metric(failed) - before, "the second request ran the model again");
        assertEquals(0, cacheRequests("failing", "hit"));
    }

    @Test
    void localCacheGauges_reportWhatIsHeld() throws Exception {
        server().post("/v2/models/cached/infer", json("gauge", 55, ""));
        double entries = server().metric("inference_cache_local_entries");
        double bytes = server().metric("inference_cache_local_bytes");
        assertEquals(true, entries >= 1, "entries " + entries);
        assertEquals(true, bytes > entries * 100, "bytes " + bytes);
    }
}
