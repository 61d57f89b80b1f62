package dev.lanes.cache;

import dev.lanes.cache.testing.RedisClusterFixture;

import java.time.Duration;

/** The contract against a real three-master Redis Cluster. */
class RedisClusterCacheIT extends RedisContract {
    @Override
    Started startRedis() {
        RedisClusterFixture redis = new RedisClusterFixture();
        return new Started(redis, clusterSettings(redis, TTL));
    }

    static RedisSettings clusterSettings(RedisClusterFixture redis, Duration ttl) {
        RedisSettings defaults = RedisSettings.of(new RedisTopology.Cluster(
                RedisAddress.parseList(redis.seedList(), "cluster")));
        return defaults.withLimits(Duration.ofSeconds(2), ttl, "lanes-test:", 8, 5, Duration.ofMillis(200));
    }
}
