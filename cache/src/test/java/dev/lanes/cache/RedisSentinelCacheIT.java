package dev.lanes.cache;

import dev.lanes.cache.testing.RedisSentinelFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The contract against a master found through three real Sentinels. */
class RedisSentinelCacheIT extends PredictionCacheContract {
    private static final Duration TTL = Duration.ofMillis(300);
    static RedisSentinelFixture redis;
    static RedisPredictionCache cache;

    @BeforeAll
    static void start() {
        redis = new RedisSentinelFixture();
        cache = new RedisPredictionCache(sentinelSettings(redis, TTL));
    }

    static RedisSettings sentinelSettings(RedisSentinelFixture redis, Duration ttl) {
        RedisTopology topology = new RedisTopology.Sentinel(
                RedisAddress.parseList(redis.sentinelList(), "sentinels"), RedisSentinelFixture.MASTER_NAME, 0);
        RedisSettings defaults = RedisSettings.of(topology);
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
