package dev.lanes.server.cache;

import dev.lanes.cache.CacheSettings;
import dev.lanes.cache.RedisSettings;
import dev.lanes.cache.testing.RedisFixture;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.NodeProcess;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nodes sharing one real Redis, and a Redis that dies and comes back under load. */
class SharedRedisCacheIT {
    @TempDir
    Path repository;
    RedisFixture redis;

    @BeforeEach
    void start() {
        new TestRepository(repository).model("cached", 1, TestModels.affine())
                .config("cached", "response_cache { enable: true }\n");
        redis = RedisFixture.startOwned();
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    private static String request(float a) {
        return CacheLoad.request(a);
    }

    @Test
    void twoNodeProcesses_nodeBHitsWhatNodeAStored() throws Exception {
        CacheSettings tiered = new CacheSettings(CacheSettings.Backend.TIERED, 1 << 20, Duration.ofMinutes(5),
                RedisSettings.of(redis.url()), false);
        try (ServerFixture nodeA = ServerFixture.start(repository, true, 1 << 20, 1 << 20, tiered);
             NodeProcess nodeB = NodeProcess.start("--model-repository", repository.toString(), "--redis", redis.url())) {
            HttpResponse<String> stored = nodeA.post("/v2/models/cached/infer", request(31));
            assertEquals(200, stored.statusCode(), stored.body());

            HttpResponse<String> fromB = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + nodeB.port() + "/v2/models/cached/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(request(31))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, fromB.statusCode(), fromB.body());
            assertEquals(ServerFixture.json(stored.body()).get("outputs"), ServerFixture.json(fromB.body()).get("outputs"));
            assertEquals(1, ServerFixture.metric(nodeB.port(), "inference_cache_requests_total{model=\"cached\",result=\"hit\"}"));
            assertEquals(0, ServerFixture.metric(nodeB.port(), "inference_batch_size_count{model=\"cached\"}"), "B never ran the model");
        }
    }

    @Test
    void redisKilledMidLoad_noRequestFails_andHitsResumeWhenItReturns() throws Exception {
        RedisSettings settings = new RedisSettings(URI.create(redis.url()), Duration.ofMillis(100), Duration.ofMinutes(5),
                "outage:", 8, 3, Duration.ofMillis(300));
        CacheSettings redisOnly = new CacheSettings(CacheSettings.Backend.REDIS, 0, Duration.ofMinutes(1), settings, false);
        try (ServerFixture node = ServerFixture.start(repository, true, 1 << 20, 1 << 20, redisOnly);
             CacheLoad load = new CacheLoad(node, 8, (client, i) -> client * 1000 + i % 20)) {
            load.awaitAnswered(200);
            redis.kill();
            load.awaitAnswered(600);
            assertTrue(node.metric("inference_cache_requests_total{model=\"cached\",result=\"error\"}") > 0,
                    "the outage was noticed");
            redis.restart();
            double hitsAfterRestart = node.metric("inference_cache_requests_total{model=\"cached\",result=\"hit\"}");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (node.metric("inference_cache_requests_total{model=\"cached\",result=\"hit\"}") <= hitsAfterRestart + 10) {
                assertTrue(System.nanoTime() < end, "hits resume after Redis returns");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            load.stopExpectingOnly200();
        }
    }
}
