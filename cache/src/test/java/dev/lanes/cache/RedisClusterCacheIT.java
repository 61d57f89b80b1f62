package dev.lanes.cache;

import dev.lanes.cache.testing.RedisClusterFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The contract against a real three-master Redis Cluster. */
class RedisClusterCacheIT extends PredictionCacheContract {
    private static final Duration TTL = Duration.ofMillis(300);
    static RedisClusterFixture redis;
    static RedisPredictionCache cache;

    @BeforeAll
    static void start() {
        redis = new RedisClusterFixture();
        cache = new RedisPredictionCache(clusterSettings(redis, TTL));
    }

    static RedisSettings clusterSettings(RedisClusterFixture redis, Duration ttl) {
        RedisSettings defaults = RedisSettings.of(new RedisTopology.Cluster(
                RedisAddress.parseList(redis.seedList(), "cluster")));
        return defaults.withLimits(Duration.ofMillis(500), ttl, "lanes-test:", 8, 5, Duration.ofMillis(200));
    }

    @AfterAll
    static void stop() {
        cache.close();
        redis.close();
    }

    @Override
    PredictionCache cache() {
        return cache;
    }

    @Override
    void expireEverything() {
        long end = System.nanoTime() + TTL.toNanos() + TimeUnit.MILLISECONDS.toNanos(50);
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(end - System.nanoTime());
        }
    }
}
