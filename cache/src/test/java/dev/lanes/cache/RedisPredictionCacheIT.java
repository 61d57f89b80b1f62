package dev.lanes.cache;

import dev.lanes.cache.testing.RedisFixture;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The contract against a real Redis, plus what only Redis does: garbage values and prefixes. */
class RedisPredictionCacheIT extends RedisContract {
    @Override
    Started startRedis() {
        RedisFixture redis = RedisFixture.start();
        // A unique prefix keeps runs apart on a shared REDIS_URL.
        return new Started(redis, new RedisSettings(URI.create(redis.url()), Duration.ofSeconds(2), TTL,
                "lanes-test-" + UUID.randomUUID() + ":", 8, 5, Duration.ofSeconds(1)));
    }

    @Test
    void keyPrefix_separatesDeployments() {
        CacheKey key = key("m", 7);
        try (RedisPredictionCache other = new RedisPredictionCache(settings().withLimits(
                Duration.ofMillis(500), Duration.ofMinutes(1), "other-" + UUID.randomUUID() + ":", 2, 5,
                Duration.ofSeconds(1)))) {
            other.put(key, value(10, 7));
            assertEquals(Lookup.Result.MISS, cache().get(key).result());
            assertArrayEquals(value(10, 7), other.get(key).value());
        }
    }
}
