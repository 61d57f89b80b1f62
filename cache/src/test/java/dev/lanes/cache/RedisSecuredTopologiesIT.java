package dev.lanes.cache;

import dev.lanes.cache.testing.RedisAccess;
import dev.lanes.cache.testing.RedisClusterFixture;
import dev.lanes.cache.testing.RedisProcess;
import dev.lanes.cache.testing.RedisSentinelFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS and an ACL user on a Sentinel deployment (through a failover) and on a cluster. */
class RedisSecuredTopologiesIT {
    @TempDir
    Path dir;

    private static RedisSettings secured(RedisTopology topology, RedisAccess access) {
        return RedisSettings.of(topology)
                .withLimits(Duration.ofMillis(1000), Duration.ofMinutes(5), "lanes-test:", 4, 5, Duration.ofMillis(200))
                .withAccess(access.user(), true, access.certificates().caCertificate())
                .withPassword(access.password());
    }

    @Test
    void sentinel_overTls_asTheAclUser_hitsBeforeAndAfterAFailover() {
        RedisAccess access = RedisAccess.create(dir.resolve("certs"));
        try (RedisSentinelFixture redis = new RedisSentinelFixture(access);
             RedisPredictionCache cache = new RedisPredictionCache(secured(new RedisTopology.Sentinel(
                     RedisAddress.parseList(redis.sentinelList(), "sentinels"), RedisSentinelFixture.MASTER_NAME, 0),
                     access))) {
            CacheKey key = PredictionCacheContract.key("tls-sentinel", 1);
            cache.put(key, PredictionCacheContract.value(64, 1));
            assertEquals(Lookup.Result.HIT, cache.get(key).result());
            try (Jedis master = redis.dataClient(redis.master().port())) {
                assertEquals(1, master.waitReplicas(1, 5000));
            }
            redis.killMasterAndAwaitFailover(Duration.ofSeconds(60));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Lookup after;
            while ((after = cache.get(key)).result() != Lookup.Result.HIT) {
                assertTrue(System.nanoTime() < end, "hits resume over TLS on the promoted replica");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertArrayEquals(PredictionCacheContract.value(64, 1), after.value());
        }
    }

    @Test
    void cluster_overTls_asTheAclUser_spreadsAndShares() {
        RedisAccess access = RedisAccess.create(dir.resolve("certs"));
        try (RedisClusterFixture redis = new RedisClusterFixture(access)) {
            RedisTopology topology = new RedisTopology.Cluster(RedisAddress.parseList(redis.seedList(), "cluster"));
            try (RedisPredictionCache first = new RedisPredictionCache(secured(topology, access));
                 RedisPredictionCache second = new RedisPredictionCache(secured(topology, access))) {
                for (int i = 0; i < 60; i++) {
                    first.put(PredictionCacheContract.key("tls-cluster", i), PredictionCacheContract.value(16, i));
                }
                for (int i = 0; i < 60; i++) {
                    Lookup lookup = second.get(PredictionCacheContract.key("tls-cluster", i));
                    assertEquals(Lookup.Result.HIT, lookup.result(), "key " + i);
                    assertArrayEquals(PredictionCacheContract.value(16, i), lookup.value());
                }
                for (RedisProcess master : redis.masters()) {
                    try (Jedis jedis = redis.client(master.port())) {
                        assertTrue(jedis.dbSize() > 0, "every shard holds entries: " + master.address());
                    }
                }
            }
        }
    }
}
