package dev.lanes.signals;

import dev.lanes.cache.RedisStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Binds the Redis backend's errors by endpoint and its followed failovers to Micrometer. Thread-safe. */
public final class MicrometerRedisStats implements RedisStats {
    /** Endpoint tags kept apart; a cluster has fewer nodes, and the rest count as {@code other}. */
    public static final int MAX_ENDPOINTS = 64;
    static final String OTHER_ENDPOINT = "other";

    private final MeterRegistry registry;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Counter failovers;

    public MicrometerRedisStats(MeterRegistry registry) {
        this.registry = registry;
        this.failovers = Counter.builder(MeterNames.CACHE_REDIS_FAILOVERS)
                .description("Sentinel failovers the Redis client followed to a new master")
                .register(registry);
    }

    @Override
    public void error(String endpoint) {
        Counter counter = errors.get(endpoint);
        if (counter == null) {
            String tag = errors.size() < MAX_ENDPOINTS ? endpoint : OTHER_ENDPOINT;
            counter = errors.computeIfAbsent(tag, key -> Counter.builder(MeterNames.CACHE_REDIS_ERRORS)
                    .description("Failed Redis commands by the endpoint they went to")
                    .tag(MeterNames.TAG_ENDPOINT, key)
                    .register(registry));
        }
        counter.increment();
    }

    @Override
    public void failover(String newMaster) {
        failovers.increment();
    }
}
