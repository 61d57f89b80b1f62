package dev.lanes.cache;

import dev.lanes.cache.testing.RedisFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tiered caching over a real Redis that this test stops and starts again. */
class RedisOutageIT {
    private RedisFixture redis;

    @BeforeEach
    void start() {
        redis = RedisFixture.startOwned();
    }

    @AfterEach
    void stop() {
        redis.close();
    }

    private RedisPredictionCache redisCache() {
        return new RedisPredictionCache(new RedisSettings(URI.create(redis.url()), Duration.ofMillis(100),
                Duration.ofMinutes(5), "outage:", 4, 3, Duration.ofMillis(200)));
    }

    private static TieredPredictionCache tiered(RedisPredictionCache shared) {
        return new TieredPredictionCache(new LocalPredictionCache(1 << 20, Duration.ofMinutes(5)), shared);
    }

    @Test
    void tiered_nodeBHitsWhatNodeAStored_andKeepsItLocally() {
        try (RedisPredictionCache sharedA = redisCache(); RedisPredictionCache sharedB = redisCache()) {
            TieredPredictionCache nodeA = tiered(sharedA);
            TieredPredictionCache nodeB = tiered(sharedB);
            CacheKey key = PredictionCacheContract.key("m", 1);
            byte[] value = PredictionCacheContract.value(100, 1);
            nodeA.put(key, value);

            assertEquals(Lookup.Result.MISS, nodeB.local().get(key).result());
            assertArrayEquals(value, nodeB.get(key).value(), "from Redis");
            assertEquals(Lookup.Result.HIT, nodeB.local().get(key).result(), "copied into B's local cache");

            redis.kill();
            assertEquals(Lookup.Result.HIT, nodeB.get(key).result(), "a local hit never needs Redis");
        }
    }

    @Test
    void redisDown_lookupsFailOpen_thenHitsResumeWhenItReturns() {
        try (RedisPredictionCache shared = redisCache()) {
            CacheKey stored = PredictionCacheContract.key("m", 2);
            redis.kill();
            for (int i = 0; i < 10; i++) {
                assertEquals(Lookup.Result.ERROR, shared.get(PredictionCacheContract.key("m", 100 + i)).result());
                shared.put(stored, new byte[]{1}); // dropped, never thrown
            }

            redis.restart();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Lookup lookup;
            do {
                shared.put(stored, new byte[]{42});
                lookup = shared.get(stored);
                if (lookup.result() == Lookup.Result.HIT) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the breaker's next probe
            } while (System.nanoTime() < end);
            assertEquals(Lookup.Result.HIT, lookup.result(), "the client reconnected by itself");
            assertArrayEquals(new byte[]{42}, lookup.value());
        }
    }

    @Test
    void garbageInRedis_isReadAsAValueAndRefusedByDecoding() {
        try (RedisPredictionCache shared = redisCache()) {
            CacheKey key = PredictionCacheContract.key("m", 3);
            shared.put(key, "not a Lanes value".getBytes());
            byte[] garbage = shared.get(key).value();
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> CachedOutputs.decode(garbage));
        }
    }
}
