package dev.lanes.cache;

import dev.lanes.cache.testing.RedisFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The contract against a real Redis, plus what only Redis does: garbage values and prefixes. */
class RedisPredictionCacheIT extends PredictionCacheContract {
    private static final Duration TTL = Duration.ofMillis(300);
    static RedisFixture redis;
    static RedisPredictionCache cache;

    @BeforeAll
    static void start() {
        redis = RedisFixture.start();
        // A unique prefix keeps runs apart on a shared REDIS_URL.
        cache = new RedisPredictionCache(new RedisSettings(URI.create(redis.url()), Duration.ofMillis(500), TTL,
                "lanes-test-" + UUID.randomUUID() + ":", 8, 5, Duration.ofSeconds(1)));
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

    /** Redis expires keys on its own clock: wait out the TTL (bounded), no fixed sleep in the assertion. */
    @Override
    void expireEverything() {
        long end = System.nanoTime() + TTL.toNanos() + TimeUnit.MILLISECONDS.toNanos(50);
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(end - System.nanoTime());
        }
    }

    @Test
    void keyPrefix_separatesDeployments() {
        CacheKey key = key("m", 7);
        try (RedisPredictionCache other = new RedisPredictionCache(new RedisSettings(URI.create(redis.url()),
                Duration.ofMillis(500), Duration.ofMinutes(1), "other-" + UUID.randomUUID() + ":", 2, 5,
                Duration.ofSeconds(1)))) {
            other.put(key, value(10, 7));
            assertEquals(Lookup.Result.MISS, cache.get(key).result());
            assertArrayEquals(value(10, 7), other.get(key).value());
        }
    }
}
