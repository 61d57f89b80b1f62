package dev.lanes.server.cache;

import dev.lanes.cache.CacheSettings;
import dev.lanes.cache.RedisAddress;
import dev.lanes.cache.RedisSettings;
import dev.lanes.cache.RedisTopology;
import dev.lanes.cache.testing.RedisClusterFixture;
import dev.lanes.cache.testing.RedisProcess;
import dev.lanes.cache.testing.RedisSentinelFixture;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.NodeProcess;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes on a Sentinel-watched master that is killed under load, and on a Redis Cluster that loses
 * a master: real Redis processes, a node in this JVM and a second node process started with the
 * command-line flags.
 */
class RedisTopologiesIT {
    private static final String HITS = "inference_cache_requests_total{model=\"cached\",result=\"hit\"}";
    private static final String LOOKUP_ERRORS = "inference_cache_requests_total{model=\"cached\",result=\"error\"}";
    private static final String RUNS = "inference_batch_size_count{model=\"cached\"}";

    @TempDir
    Path repository;

    @BeforeEach
    void repository() {
        new TestRepository(repository).model("cached", 1, TestModels.affine())
                .config("cached", "response_cache { enable: true }\n");
    }

    private static String request(float a) {
        return CacheLoad.request(a);
    }

    /** Redis only, no local cache in front: every hit below came from Redis. */
    private static CacheSettings redisOnly(RedisSettings redis) {
        return new CacheSettings(CacheSettings.Backend.REDIS, 0, Duration.ofMinutes(1), redis, false);
    }

    private static HttpResponse<String> post(int port, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v2/models/cached/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sentinelMasterKilledUnderLoad_noInferenceFails_hitsResume_andASecondNodeSharesNewEntries() throws Exception {
        try (RedisSentinelFixture redis = new RedisSentinelFixture()) {
            RedisSettings sentinel = RedisSettings.of(new RedisTopology.Sentinel(
                            RedisAddress.parseList(redis.sentinelList(), "sentinels"), RedisSentinelFixture.MASTER_NAME, 0))
                    .withLimits(Duration.ofMillis(100), Duration.ofMinutes(5), "lanes:", 8, 3, Duration.ofMillis(200));
            try (ServerFixture node = ServerFixture.start(repository, true, 1 << 20, 1 << 20, redisOnly(sentinel))) {
                long killed;
                long hitsBack;
                int answers;
                // even clients repeat 20 requests; odd ones never repeat one
                try (CacheLoad load = new CacheLoad(node, 8, (client, i) -> client % 2 == 0 ? i % 20 : 100_000 * client + i)) {
                    load.awaitAnswered(300);
                    killed = System.nanoTime();
                    redis.killMasterAndAwaitFailover(Duration.ofSeconds(60));
                    double hitsAtPromotion = node.metric(HITS);
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (node.metric(HITS) <= hitsAtPromotion) {
                        assertTrue(System.nanoTime() < end, "hits resume on the promoted replica");
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                    hitsBack = System.nanoTime();
                    load.awaitAnswered(load.answered() + 200);
                    answers = load.stopExpectingOnly200();
                }
                assertTrue(node.metric(LOOKUP_ERRORS) > 0, "the dead master was noticed (else this proved nothing)");
                assertEquals(1, node.metric("inference_cache_redis_failovers_total"), "one failover followed");
                assertTrue(node.metric("inference_cache_redis_errors_total{endpoint=\"" + redis.master().address() + "\"}") > 0,
                        "errors are counted against the dead master's address");
                System.out.printf("sentinel failover under load: hits back %d ms after the SIGKILL; %d answers, all 200%n",
                        TimeUnit.NANOSECONDS.toMillis(hitsBack - killed), answers);

                // Written after the failover on this node; a second node process hits it.
                assertEquals(200, node.post("/v2/models/cached/infer", request(-7)).statusCode());
                try (NodeProcess second = NodeProcess.start("--model-repository", repository.toString(), "--cache", "redis",
                        "--redis-sentinels", redis.sentinelList(), "--redis-master-name", RedisSentinelFixture.MASTER_NAME)) {
                    assertTrue(!second.startupOutput().contains("RESP3"),
                            "Jedis' protocol warning on every Sentinel connection: " + second.startupOutput());
                    HttpResponse<String> shared = post(second.port(), request(-7));
                    assertEquals(200, shared.statusCode(), shared.body());
                    assertEquals(1, ServerFixture.metric(second.port(), HITS));
                    assertEquals(0, ServerFixture.metric(second.port(), RUNS), "the second node never ran the model");
                }
            }
        }
    }

    @Test
    void cluster_aSecondNodeHitsOnEveryShard_andALostMasterCostsOnlyItsOwnKeys() throws Exception {
        int requests = 60;
        try (RedisClusterFixture redis = new RedisClusterFixture()) {
            // a second per call: these counts are exact, and a 2-CPU box may stall a call past 100 ms
            RedisSettings cluster = RedisSettings.of(new RedisTopology.Cluster(
                    RedisAddress.parseList(redis.seedList(), "cluster")))
                    .withLimits(Duration.ofSeconds(1), Duration.ofMinutes(5), "lanes:", 8, 5, Duration.ofSeconds(2));
            try (ServerFixture first = ServerFixture.start(repository, true, 1 << 20, 1 << 20, redisOnly(cluster));
                 NodeProcess second = NodeProcess.start("--model-repository", repository.toString(), "--cache", "redis",
                         "--redis-cluster", redis.seedList(), "--set", "lanes.cache.redis.timeout=PT1S")) {
                for (int i = 0; i < requests; i++) {
                    assertEquals(200, first.post("/v2/models/cached/infer", request(i)).statusCode());
                }
                for (int i = 0; i < requests; i++) {
                    assertEquals(200, post(second.port(), request(i)).statusCode());
                }
                assertEquals(requests, ServerFixture.metric(second.port(), HITS), "the second node hits all it asks for");
                assertEquals(0, ServerFixture.metric(second.port(), RUNS));
                long onLost = 0;
                for (RedisProcess master : redis.masters()) {
                    try (Jedis jedis = new Jedis("127.0.0.1", master.port())) {
                        long stored = jedis.dbSize();
                        assertTrue(stored > 0, "every shard holds entries: " + master.address() + " has none");
                        if (master == redis.masters().getFirst()) {
                            onLost = stored;
                        }
                    }
                }

                redis.masters().getFirst().kill();
                double hitsBefore = ServerFixture.metric(second.port(), HITS);
                for (int i = 0; i < requests; i++) {
                    HttpResponse<String> response = post(second.port(), request(i));
                    assertEquals(200, response.statusCode(), "a lost shard never fails an inference: " + response.body());
                }
                assertEquals(requests - onLost, ServerFixture.metric(second.port(), HITS) - hitsBefore,
                        "the surviving shards keep their hits; only the lost master's keys miss");
                assertEquals(onLost, ServerFixture.metric(second.port(), RUNS), "the model answers the lost keys");
            }
        }
    }

    @Test
    void aWrongRedisPassword_isReportedOnceAtStart_andTheNodeServes() throws Exception {
        try (RedisProcess redis = RedisProcess.server(repository.resolve("redis"), List.of("--requirepass", "right"))) {
            String password = "not-the-password-" + System.nanoTime();
            Path wrong = java.nio.file.Files.writeString(repository.resolve("redis-password"), password + "\n");
            try (NodeProcess node = NodeProcess.start("--model-repository", repository.toString(), "--cache", "redis",
                    "--redis", "redis://" + redis.address(), "--set", "lanes.cache.redis.password-file=" + wrong)) {
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> response = post(node.port(), request(i % 3));
                    assertEquals(200, response.statusCode(), response.body());
                }
                assertEquals(20, ServerFixture.metric(node.port(), LOOKUP_ERRORS), "every lookup failed open");
                String start = node.startupOutput();
                assertEquals(1, start.split("refused the credentials", -1).length - 1, start);
                assertTrue(start.contains("lanes.cache.redis.user"), "the line says what to fix: " + start);
                assertTrue(!node.laterOutput().contains("WRONGPASS"), "said once, not again per outage: "
                        + node.laterOutput());
                assertTrue(!(start + node.laterOutput()).contains(password), "the password is in no log line");
            }
        }
    }
}
