package dev.lanes.benchmarks.load;

import dev.lanes.benchmarks.suite.ServerProcess;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node on one CPU with its only instance saturated still answers a new connection while the
 * load runs: what a readiness probe does. The virtual-thread scheduler takes a thread started
 * from outside its carriers (a new connection's) only once a carrier's own queue is empty; with
 * inference run on the carrier that queue never emptied, and a probe waited for the whole load
 * (docs/benchmarks.md, "Batches run by their callers"). Nothing here is timed: the probe must be
 * answered before the load ends, however long the load's windows take.
 */
class SaturatedNodeIT {
    @TempDir
    Path work;

    @Test
    void aNewConnection_isAnsweredWhileTheLoadRuns() throws Exception {
        CpuSplit split = CpuSplit.choose(false);
        assertTrue(split.split(), "this check needs two CPUs and taskset, as this machine has");
        CpuSplit oneCpu = new CpuSplit(split.measured().split(",")[0], split.generator());
        Path repository = work.resolve("repo");
        new TestRepository(repository)
                .model("slow", 1, TestModels.slow(64, 400))
                .config("slow", "max_batch_size: 8\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n");
        try (ServerProcess node = ServerProcess.lanes(Path.of("..", "server", "target", "lanes-server.jar"),
                repository, work.resolve("lanes.log"), List.of("--set", "lanes.server.drain-grace=PT0S"), oneCpu);
             Target target = new Target("127.0.0.1", node.port(), node.grpcPort(), Protocol.REST_BINARY,
                     Workload.random("slow", "x", 1, 64), 1)) {
            HttpClient metrics = HttpClient.newHttpClient();
            double before = answered(metrics, node); // its connection opens now, before the load
            ClosedLoop load = new ClosedLoop(8, Duration.ofSeconds(2), Duration.ofSeconds(3), 3, 1.0);
            CompletableFuture<LoadResult> running = CompletableFuture.supplyAsync(
                    () -> load.run(target, "saturating", OptionalLong.of(node.pid()), false));
            while (answered(metrics, node) < before + 200 && !running.isDone()) {
                Thread.onSpinWait(); // until the load is under way: each scrape is a round trip
            }
            assertFalse(running.isDone(), "the load ended before it was under way");

            String status = probe(node.port());
            boolean duringLoad = !running.isDone();
            LoadResult result = running.get();
            assertEquals("HTTP/1.1 200 OK", status);
            assertTrue(duringLoad, "the new connection was answered only after the load ended");
            assertTrue(result.counts().ok() > 0 && result.counts().errors() == 0, result.toString());
        }
    }

    /** A fresh connection's readiness request, as a probe sends it: its status line. */
    private static String probe(int port) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(120_000); // a starved node answers when the load ends; never hang past it
            OutputStream out = socket.getOutputStream();
            out.write("GET /v2/health/ready HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    private static double answered(HttpClient client, ServerProcess node) throws Exception {
        String body = client.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(line -> line.startsWith("inference_requests_total{") && line.contains("success"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
