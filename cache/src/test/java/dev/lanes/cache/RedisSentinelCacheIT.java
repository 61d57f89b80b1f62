package dev.lanes.cache;

import dev.lanes.cache.testing.RedisSentinelFixture;

import java.time.Duration;

/** The contract against a master found through three real Sentinels. */
class RedisSentinelCacheIT extends RedisContract {
    @Override
    Started startRedis() {
        RedisSentinelFixture redis = new RedisSentinelFixture();
        return new Started(redis, sentinelSettings(redis, TTL));
    }

    static RedisSettings sentinelSettings(RedisSentinelFixture redis, Duration ttl) {
        RedisTopology topology = new RedisTopology.Sentinel(
                RedisAddress.parseList(redis.sentinelList(), "sentinels"), RedisSentinelFixture.MASTER_NAME, 0);
        RedisSettings defaults = RedisSettings.of(topology);
        return defaults.withLimits(Duration.ofSeconds(2), ttl, "lanes-test:", 8, 5, Duration.ofMillis(200));
    }
}
