package dev.lanes.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.cache.CacheSettings;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.config.DrainSettings;
import dev.lanes.server.config.HttpSettings;
import dev.lanes.server.config.LogSettings;
import dev.lanes.server.config.ManagementSettings;
import dev.lanes.server.config.ServerConfig;
import dev.lanes.server.config.ManagementSettings.ControlMode;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a node publishes before any traffic: counters of known label sets at 0, the state of every
 * model it serves, and the memory the heap meters do not show.
 */
class NodeMetricsIT {
    private static final String INFER = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";

    @TempDir
    Path repository;

    @Test
    void freshNode_publishesEveryKnownCounterAtZero() throws Exception {
        new TestRepository(repository).model("affine", 1, TestModels.affine())
                .config("affine", "response_cache { enable: true }\n")
                .model("plain", 1, TestModels.affine());
        try (ServerFixture node = ServerFixture.start(repository, true)) {
            Map<String, Double> samples = scrape(node);
            for (String protocol : List.of("rest", "grpc")) {
                for (String outcome : List.of("success", "invalid_input", "overloaded", "model_not_ready",
                        "shutting_down", "deadline_exceeded", "runtime_failure")) {
                    for (String model : List.of("affine", "plain")) {
                        assertEquals(0.0, samples.get("inference_requests_total{model=\"" + model + "\",outcome=\""
                                + outcome + "\",protocol=\"" + protocol + "\"}"), model + " " + protocol + " " + outcome);
                    }
                }
            }
            for (String result : List.of("hit", "miss", "error")) {
                assertEquals(0.0, samples.get("inference_cache_requests_total{model=\"affine\",result=\"" + result + "\"}"),
                        "the caching model's " + result + " counter");
            }
            assertFalse(samples.keySet().stream().anyMatch(s -> s.startsWith("inference_cache_requests_total{model=\"plain\"")),
                    "a model that does not cache has no cache counters");
            assertEquals(0.0, samples.get("inference_queue_timeouts_total{model=\"affine\"}"));
            for (String reason : List.of("400", "408", "413", "431", "connection")) {
                assertEquals(0.0, samples.get("lanes_protocol_errors_total{protocol=\"rest\",reason=\"" + reason + "\"}"), reason);
            }
            assertEquals(0.0, samples.get("lanes_protocol_errors_total{protocol=\"grpc\",reason=\"transport\"}"));

            node.post("/v2/models/affine/infer", INFER);
            node.post("/v2/models/affine/infer", "{\"inputs\":[]}");
            Map<String, Double> after = scrape(node);
            assertEquals(1.0, after.get("inference_requests_total{model=\"affine\",outcome=\"success\",protocol=\"rest\"}"));
            assertEquals(1.0, after.get("inference_requests_total{model=\"affine\",outcome=\"invalid_input\",protocol=\"rest\"}"));
            assertEquals(1.0, after.get("inference_cache_requests_total{model=\"affine\",result=\"miss\"}"));
            // the instance thread's CPU time: positive, and within the batch's wall time
            double cpu = after.get("inference_compute_cpu_seconds_total{model=\"affine\"}");
            double wall = after.get("inference_compute_duration_seconds_sum{model=\"affine\"}");
            assertTrue(cpu > 0 && cpu <= wall + 1e-3, cpu + " s CPU in " + wall + " s");
            JsonNode stats = ServerFixture.json(node.get("/v2/models/affine/stats").body())
                    .path("model_stats").get(0);
            JsonNode computeCpu = stats.path("inference_stats").path("compute_cpu");
            assertEquals(1, computeCpu.path("count").asLong(), stats.toString());
            assertTrue(computeCpu.path("ns").asLong() > 0, stats.toString());
            assertEquals(Math.round(cpu * 1e9), computeCpu.path("ns").asLong(), 1e3,
                    "the statistics extension and /metrics report the same CPU time");
        }
    }

    @Test
    void modelState_followsLoadsFailuresAndUnloads() throws Exception {
        new TestRepository(repository).model("affine", 1, TestModels.affine()).corrupt("broken", 3);
        ManagementSettings explicit = new ManagementSettings(ControlMode.EXPLICIT, List.of("*"), Duration.ofSeconds(15),
                Optional.empty(), false);
        try (ServerFixture node = ServerFixture.start(repository, false, explicit)) {
            Map<String, Double> samples = scrape(node);
            assertEquals(1.0, samples.get(state("affine", "1", "READY")));
            assertEquals(0.0, samples.get(state("affine", "1", "UNAVAILABLE")));
            assertEquals(0.0, samples.get(state("affine", "1", "LOADING")));
            assertEquals(0.0, samples.get(state("broken", "3", "READY")), "the corrupt version is not ready");
            assertEquals(1.0, samples.get(state("broken", "3", "UNAVAILABLE")));

            assertEquals(200, node.post("/v2/repository/models/affine/unload", "{}").statusCode());
            assertFalse(scrape(node).containsKey(state("affine", "1", "READY")), "an unloaded model has no state rows");
            assertEquals(200, node.post("/v2/repository/models/affine/load", "").statusCode());
            assertEquals(1.0, scrape(node).get(state("affine", "1", "READY")));
        }
    }

    @Test
    void memoryTheHeapMetersMiss_isPublished() throws Exception {
        new TestRepository(repository).model("affine", 1, TestModels.affine());
        try (ServerFixture node = ServerFixture.start(repository, true)) {
            assertEquals(200, node.post("/v2/models/affine/infer", INFER).statusCode());
            long before = residentBytesOfThisProcess();
            Map<String, Double> samples = scrape(node);
            long after = residentBytesOfThisProcess();
            // The node runs in this JVM: its resident set is this process's, as the kernel reports it.
            double resident = samples.get("process_resident_memory_bytes");
            assertTrue(resident >= Math.min(before, after) * 0.8 && resident <= Math.max(before, after) * 1.2,
                    resident + " vs " + before + ".." + after);
            assertEquals(0.0, samples.get("lanes_buffer_pool_leased_bytes"), "no request holds a buffer now");
            double retained = samples.get("lanes_buffer_pool_retained_bytes");
            assertEquals((double) node.server().repository().bufferPool().retainedBytes(), retained);
            assertTrue(retained > 0, "the inference's input buffer went back to the pool");
        }
    }

    @Test
    void metricsPort_servesOnlyTheScrape_andTheRestPortPointsThere() throws Exception {
        new TestRepository(repository).model("affine", 1, TestModels.affine());
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 1L << 20, 1L << 20, true, repository,
                RuntimeSettings.defaults(), CacheSettings.defaults(), DrainSettings.IMMEDIATE, ManagementSettings.DEFAULT,
                ServerFixture.FREE_GRPC_PORT, HttpSettings.DEFAULT, 0, LogSettings.DEFAULT);
        try (LanesServer node = new LanesServer(config).start()) {
            assertTrue(node.metricsPort() != node.port());
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.metricsPort() + "/metrics")).build(), BodyHandlers.ofString());
            assertEquals(200, scrape.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", scrape.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(scrape.body().contains("inference_queue_length{model=\"affine\""), scrape.body());
            HttpResponse<String> api = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.metricsPort() + "/v2/health/ready")).build(), BodyHandlers.ofString());
            assertEquals(404, api.statusCode(), "the metrics port serves nothing else");
            HttpResponse<String> moved = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.port() + "/metrics")).build(), BodyHandlers.ofString());
            assertEquals(404, moved.statusCode());
            assertTrue(moved.body().contains("lanes.server.metrics-port"), moved.body());
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                    + "/v2/health/ready")).build(), BodyHandlers.discarding()).statusCode());
        }
    }

    private static String state(String model, String version, String state) {
        return "inference_model_state{model=\"" + model + "\",state=\"" + state + "\",version=\"" + version + "\"}";
    }

    /** Every sample of a scrape, keyed by name and labels as the registry writes them (sorted). */
    private static Map<String, Double> scrape(ServerFixture node) throws Exception {
        Map<String, Double> samples = new HashMap<>();
        node.get("/metrics").body().lines().filter(line -> !line.startsWith("#") && !line.isBlank()).forEach(line -> {
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space).replace(",}", "}"), Double.parseDouble(line.substring(space + 1)));
        });
        return samples;
    }

    private static long residentBytesOfThisProcess() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS");
    }
}
