package dev.lanes.cache;

import dev.lanes.cache.testing.RedisClusterFixture;
import dev.lanes.cache.testing.RedisProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keys spread over all three shards and are shared between clients; losing one master costs the
 * hits of its slots only, never an exception, and the others keep hitting.
 */
class RedisClusterShardLossIT {
    private static final int KEYS = 300;

    @Test
    void keysSpreadOverEveryShard_andALostMasterCostsOnlyItsOwnHits() {
        try (RedisClusterFixture redis = new RedisClusterFixture();
             RedisPredictionCache first = new RedisPredictionCache(
                     RedisClusterCacheIT.clusterSettings(redis, Duration.ofMinutes(5)));
             RedisPredictionCache second = new RedisPredictionCache(
                     RedisClusterCacheIT.clusterSettings(redis, Duration.ofMinutes(5)))) {
            List<CacheKey> keys = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                CacheKey key = PredictionCacheContract.key("shards", i);
                keys.add(key);
                first.put(key, PredictionCacheContract.value(16, i));
            }
            assertEquals(KEYS, count(second, keys).get(Lookup.Result.HIT), "the second client hits what the first stored");
            long onLost = 0;
            for (RedisProcess master : redis.masters()) {
                try (Jedis jedis = new Jedis("127.0.0.1", master.port())) {
                    long stored = jedis.dbSize();
                    assertTrue(stored > KEYS / 10, "every shard holds a share: " + master.address() + " has " + stored);
                    if (master == redis.masters().getFirst()) {
                        onLost = stored;
                    }
                }
            }

            redis.masters().getFirst().kill();
            // Every lookup answers (hit, or error for the lost slots); a lookup never throws.
            for (int round = 0; round < 3; round++) {
                Map<Lookup.Result, Integer> results = count(second, keys);
                assertEquals(KEYS - onLost, (long) results.get(Lookup.Result.HIT),
                        "round " + round + ": the surviving shards keep every hit: " + results);
                assertEquals(onLost, (long) results.get(Lookup.Result.ERROR) + results.get(Lookup.Result.MISS),
                        "round " + round + ": only the lost master's keys are lost: " + results);
            }
        }
    }

    @Test
    void slotsMovedByAReshard_stillHit_followingMovedRedirects() throws Exception {
        try (RedisClusterFixture redis = new RedisClusterFixture();
             RedisPredictionCache cache = new RedisPredictionCache(
                     RedisClusterCacheIT.clusterSettings(redis, Duration.ofMinutes(5)))) {
            List<CacheKey> keys = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                CacheKey key = PredictionCacheContract.key("reshard", i);
                keys.add(key);
                cache.put(key, PredictionCacheContract.value(16, i));
            }
            RedisProcess from = redis.masters().get(0);
            RedisProcess to = redis.masters().get(1);
            long before;
            try (Jedis source = redis.client(from.port())) {
                before = source.dbSize();
            }
            // 2000 slots and their keys move while the cache's slot map still says where they were
            redis.reshard(from, to, 2000);
            try (Jedis source = redis.client(from.port())) {
                assertTrue(source.dbSize() < before, "keys moved: " + source.dbSize() + " of " + before + " left");
            }
            assertEquals(KEYS, (long) count(cache, keys).get(Lookup.Result.HIT),
                    "every moved key is found through MOVED, none lost");
        }
    }

    private static Map<Lookup.Result, Integer> count(RedisPredictionCache cache, List<CacheKey> keys) {
        Map<Lookup.Result, Integer> results = new EnumMap<>(Lookup.Result.class);
        for (Lookup.Result result : Lookup.Result.values()) {
            results.put(result, 0);
        }
        for (CacheKey key : keys) {
            results.merge(cache.get(key).result(), 1, Integer::sum);
        }
        return results;
    }
}
