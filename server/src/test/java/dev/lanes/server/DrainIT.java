package dev.lanes.server;

import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.NodeProcess;
import dev.lanes.server.testing.SlowModelDepth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM under continuous load: every request the node accepted gets its answer. */
class DrainIT {
    @TempDir
    Path repository;

    @Test
    void sigterm_readinessFallsAtOnce_graceServes_thenRefuses_andNoAcceptedRequestIsLost() throws Exception {
        new TestRepository(repository)
                .model("affine", 1, TestModels.affine())
                .model("slow", 1, TestModels.slow(1024, 400))
                .config("slow", "max_batch_size: 64\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n");
        NodeProcess node = NodeProcess.start("--model-repository", repository.toString(),
                "--set", "lanes.server.drain-grace=PT1.5S", "--set", "lanes.server.drain-timeout=PT20S");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + node.port();
        String affine = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";
        String slow = "{\"inputs\":[{\"name\":\"x\",\"shape\":[16,1024],\"datatype\":\"FP32\",\"data\":["
                + "0.5,".repeat(16 * 1024 - 1) + "0.5]}]}";

        AtomicBoolean signalled = new AtomicBoolean();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<String> lost = new CopyOnWriteArrayList<>();
        long[] signalledAt = new long[1];
        AtomicInteger servedAfterSignal = new AtomicInteger();
        AtomicInteger notReadyWhileServing = new AtomicInteger();
        List<Future<Void>> clients = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 10; c++) {
                String path = c < 2 ? "/v2/models/slow/infer" : "/v2/models/affine/infer";
                String body = c < 2 ? slow : affine;
                clients.add(threads.submit(() -> {
                    while (true) {
                        boolean afterSignal = signalled.get();
                        long sent = System.nanoTime();
                        HttpResponse<String> response;
                        try {
                            response = client.send(HttpRequest.newBuilder(URI.create(base + path))
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        } catch (ConnectException refused) {
                            outcomes.computeIfAbsent("refused connection", k -> new AtomicInteger()).incrementAndGet();
                            return null; // not accepted: the listener is gone
                        } catch (IOException e) {
                            // accepted but never answered
                            lost.add(path + " sent " + (sent - signalledAt[0]) / 1_000_000 + " ms after SIGTERM: " + e);
                            return null;
                        }
                        outcomes.computeIfAbsent(Integer.toString(response.statusCode()), k -> new AtomicInteger())
                                .incrementAndGet();
                        if (response.statusCode() != 200) {
                            assertEquals(503, response.statusCode(), response.body());
                            return null; // a load balancer would stop routing here
                        }
                        if (afterSignal) {
                            servedAfterSignal.incrementAndGet();
                        }
                    }
                }));
            }
            awaitCount(outcomes, 50);
            signalledAt[0] = System.nanoTime();
            assertTrue(node.signal(), "SIGTERM delivered");
            signalled.set(true);
            // Readiness falls as soon as the JVM runs its shutdown hook, while inference is still
            // served for the grace period.
            HttpResponse<String> ready;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            do {
                ready = client.send(HttpRequest.newBuilder(URI.create(base + "/v2/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
            } while (ready.statusCode() == 200 && System.nanoTime() < end);
            HttpResponse<String> during = client.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/affine/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(affine)).build(), HttpResponse.BodyHandlers.ofString());
            if (ready.statusCode() == 503 && during.statusCode() == 200) {
                notReadyWhileServing.incrementAndGet();
            }
            for (Future<Void> c : clients) {
                c.get(60, TimeUnit.SECONDS);
            }
        }
        assertTrue(node.awaitExit(40), "the node exits within its drain bound");
        assertTrue(lost.isEmpty(), () -> lost.size() + " accepted requests lost, first: " + lost.get(0) + "; " + outcomes);
        assertEquals(1, notReadyWhileServing.get(), "readiness 503 while inference still answers");
        assertTrue(servedAfterSignal.get() > 0, "the grace period served requests: " + outcomes);
        assertTrue(outcomes.containsKey("503"), "then new requests were refused: " + outcomes);
    }

    /**
     * The end of a drain, slowed down: a request admitted in the grace period is answered after it
     * (with {@code Connection: close}), its client comes back 200 ms later on a new connection and
     * must be told 503, not find the port gone. Before the quiet period the node closed within
     * 10 ms of its last answer, racing every keep-alive client that sends its next request at once
     * (the loss the test above saw one run in four).
     */
    @Test
    void clientAnsweredAtTheDrainsEnd_comesBackOnANewConnection_andIsToldServiceUnavailable() throws Exception {
        int width = 1024;
        new TestRepository(repository)
                // 64 rows of four seconds' depth: one run outlasts the two-second grace by about two seconds
                .model("slow", 1, TestModels.slow(width, 4 * SlowModelDepth.forOneSecond(width)))
                .config("slow", "max_batch_size: 64\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n");
        NodeProcess node = NodeProcess.start("--model-repository", repository.toString(),
                "--set", "lanes.server.drain-grace=PT2S", "--set", "lanes.server.drain-timeout=PT20S",
                "--set", "lanes.server.drain-quiet=PT2S");
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + node.port();
            HttpRequest slow = HttpRequest.newBuilder(URI.create(base + "/v2/models/slow/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"x\",\"shape\":[64," + width
                            + "],\"datatype\":\"FP32\",\"data\":[" + "0.5,".repeat(64 * width - 1) + "0.5]}]}"))
                    .build();
            assertTrue(node.signal(), "SIGTERM delivered");
            // Sent once the drain has begun (readiness 503), so its answer is one of the drain's.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (client.send(HttpRequest.newBuilder(URI.create(base + "/v2/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                assertTrue(System.nanoTime() < end, "readiness falls on SIGTERM");
            }
            HttpResponse<String> answered = client.send(slow, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answered.statusCode(), answered.body());
            assertEquals("close", answered.headers().firstValue("connection").orElse(""),
                    "every answer of a drain tells the client not to reuse its connection");
            Thread.sleep(200); // a client that takes a moment before its next request: the point here
            HttpResponse<String> next = client.send(slow, HttpResponse.BodyHandlers.ofString());
            assertEquals(503, next.statusCode(), next.body());
            assertTrue(next.headers().firstValue("retry-after").isPresent(), "503 says when to retry");
            assertTrue(node.awaitExit(30), "the node exits once its port has been quiet");
        } finally {
            node.close();
        }
    }

    private static void awaitCount(Map<String, AtomicInteger> outcomes, int total) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (outcomes.values().stream().mapToInt(AtomicInteger::get).sum() < total) {
            assertTrue(System.nanoTime() < end, "load flows");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
