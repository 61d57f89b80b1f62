package dev.lanes.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many concurrent clients: own answers, batching, exact counters, overload and deadlines. */
class RestLoadIT {
    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("affine", 1, TestModels.affine())
                    .config("affine", TestModels.DEMO_AFFINE_CONFIG.replace("max_queue_size: 256", "max_queue_size: 1024"))
                    .model("slow", 1, TestModels.slow(256, 400))
                    .config("slow", """
                            max_batch_size: 1
                            dynamic_batching { default_queue_policy { max_queue_size: 2 allow_timeout_override: true } }
                            instance_group [ { count: 1 kind: KIND_CPU } ]
                            """))
            .start(dir -> ServerFixture.start(dir, true));

    private static ServerFixture server() {
        return node.server();
    }

    private static String affineRequest(float[] x) {
        StringBuilder data = new StringBuilder();
        for (float value : x) {
            data.append(data.isEmpty() ? "" : ",").append(value);
        }
        return "{\"id\":\"" + x[0] + "\",\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":["
                + data + "]}]}";
    }

    @Test
    void infer_concurrentDistinctRequests_eachGetsItsOwnAnswerAndTheyShareBatches() throws Exception {
        String success = "inference_requests_total{model=\"affine\",outcome=\"success\",protocol=\"rest\"}";
        String batches = "inference_batch_size_count{model=\"affine\"}";
        String rows = "inference_batch_size_sum{model=\"affine\"}";
        double successBefore = server().metric(success);
        double batchesBefore = server().metric(batches);
        double rowsBefore = server().metric(rows);
        int requests = 400;
        List<Future<Void>> calls = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < requests; i++) {
                float[] x = {i, i * 0.5f, -i, 3};
                calls.add(threads.submit(() -> {
                    start.await();
                    HttpResponse<String> response = server().post("/v2/models/affine/infer", affineRequest(x));
                    assertEquals(200, response.statusCode(), response.body());
                    JsonNode body = ServerFixture.json(response.body());
                    assertEquals(Float.toString(x[0]), body.get("id").asText());
                    double[] expected = TestModels.affineExpected(x);
                    JsonNode data = body.get("outputs").get(0).get("data");
                    for (int j = 0; j < 3; j++) {
                        assertEquals(expected[j], data.get(j).asDouble(), 1e-3 * Math.max(1, Math.abs(expected[j])));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<Void> call : calls) {
                call.get();
            }
        }
        assertEquals(requests, server().metric(success) - successBefore, "the counter moved by exactly the requests sent");
        assertEquals(requests, server().metric(rows) - rowsBefore, "every row ran exactly once");
        double executed = server().metric(batches) - batchesBefore;
        assertTrue(executed < requests, "requests were batched together: " + executed + " batches for " + requests);
    }

    @Test
    void infer_queueFull_answers503WithRetryAfterAndOthersSucceed() throws Exception {
        int requests = 40;
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger retryAfter = new AtomicInteger();
        String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,256],\"datatype\":\"FP32\",\"data\":["
                + "1,".repeat(255) + "1]}]}";
        CountDownLatch start = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < requests; i++) {
                threads.submit(() -> {
                    start.await();
                    HttpResponse<String> response = server().post("/v2/models/slow/infer", body);
                    statuses.computeIfAbsent(response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    if (response.statusCode() == 503 && response.headers().firstValue("Retry-After").isPresent()
                            && response.body().contains("overloaded")) {
                        retryAfter.incrementAndGet();
                    }
                    return null;
                });
            }
            start.countDown();
        }
        assertEquals(requests, statuses.getOrDefault(200, new AtomicInteger()).get()
                + statuses.getOrDefault(503, new AtomicInteger()).get(), "only 200 or 503: " + statuses);
        assertTrue(statuses.get(200).get() >= 1, statuses.toString());
        assertTrue(retryAfter.get() >= 1, "some were refused with Retry-After: " + statuses);
        assertEquals(200, server().post("/v2/models/slow/infer", body).statusCode(), "serves again once drained");
    }

    /**
     * With the queue full, a request is refused from its headers alone: the body (declared, never
     * sent here) is not waited for. Without the early refusal the server would wait for the body
     * and no attempt would be answered.
     */
    @Test
    void infer_queueFull_refusesBeforeReadingTheBody() throws Exception {
        String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,256],\"datatype\":\"FP32\",\"data\":["
                + "1,".repeat(255) + "1]}]}";
        var flooding = new java.util.concurrent.atomic.AtomicBoolean(true);
        String refusal = null;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                threads.submit(() -> {
                    while (flooding.get()) {
                        server().post("/v2/models/slow/infer", body);
                    }
                    return null;
                });
            }
            for (int attempt = 0; attempt < 50 && refusal == null; attempt++) {
                refusal = headersOnly(server().uri("/").getPort());
            }
            flooding.set(false);
        }
        assertTrue(refusal != null, "no attempt was refused before its body was sent");
        assertTrue(refusal.startsWith("HTTP/1.1 503") && refusal.contains("overloaded"), refusal);
    }

    /** Sends only the headers of a 512 KiB binary request; the answer if one comes within half a second. */
    private static String headersOnly(int port) throws Exception {
        String header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[512,256],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":524288}}]}";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(500);
            socket.getOutputStream().write(("POST /v2/models/slow/infer HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/octet-stream\r\nInference-Header-Content-Length: " + header.length()
                    + "\r\nContent-Length: " + (header.length() + 524288) + "\r\n\r\n" + header)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] answer = new byte[4096];
            int read = socket.getInputStream().read(answer);
            return read <= 0 ? null : new String(answer, 0, read, java.nio.charset.StandardCharsets.US_ASCII);
        } catch (java.net.SocketTimeoutException waitingForTheBody) {
            return null;
        }
    }

    @Test
    void infer_timeoutParameterPassedInQueue_answers504AndCountsTheTimeout() throws Exception {
        String timeouts = "inference_queue_timeouts_total{model=\"slow\"}";
        double before = server().metric(timeouts);
        String body = "{\"parameters\":{\"timeout\":1},\"inputs\":[{\"name\":\"x\",\"shape\":[1,256],\"datatype\":\"FP32\","
                + "\"data\":[" + "1,".repeat(255) + "1]}]}";
        String longRunning = body.replace("\"timeout\":1", "\"timeout\":0");
        List<Future<HttpResponse<String>>> responses = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            responses.add(threads.submit(() -> server().post("/v2/models/slow/infer", longRunning)));
            for (int i = 0; i < 5; i++) {
                responses.add(threads.submit(() -> server().post("/v2/models/slow/infer", body)));
            }
        }
        int timedOut = 0;
        for (Future<HttpResponse<String>> response : responses) {
            int status = response.get().statusCode();
            assertTrue(status == 200 || status == 504 || status == 503, "status " + status);
            if (status == 504) {
                timedOut++;
                assertTrue(response.get().body().contains("timed out"), response.get().body());
            }
        }
        assertTrue(timedOut >= 1, "a 1 µs timeout cannot be met");
        assertEquals(timedOut, server().metric(timeouts) - before, "every timeout is counted once");
    }
}
