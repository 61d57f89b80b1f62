package dev.lanes.cache;

import java.time.Duration;
import java.util.Locale;

/**
 * Which cache a node uses and how big it is.
 *
 * @param backend       none, local (default), redis, or tiered (local in front of Redis)
 * @param localMaxBytes bound of the local cache in bytes of cached values
 * @param localTtl      time to live in the local cache
 * @param redis         the shared Redis, required for redis and tiered
 * @param allModels     cache every model, not only those whose config.pbtxt says
 *                      {@code response_cache { enable: true }} (Triton's rule)
 */
public record CacheSettings(Backend backend, long localMaxBytes, Duration localTtl, RedisSettings redis,
                            boolean allModels) {
    public enum Backend {
        NONE, LOCAL, REDIS, TIERED;

        public static Backend parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("lanes.cache.backend must be none, local, redis or tiered, got '"
                        + value + "'");
            }
        }
    }

    public CacheSettings {
        // The local cache lives on the heap: more than all of it is a typo that ends in OutOfMemoryError.
        long heap = Runtime.getRuntime().maxMemory();
        if (localMaxBytes < 0 || localMaxBytes > heap) {
            throw new IllegalArgumentException("lanes.cache.local.max-size must be between 0 and the heap's "
                    + heap + " bytes, got " + localMaxBytes);
        }
        if (localTtl.isNegative() || localTtl.isZero() || localTtl.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("lanes.cache.local.ttl must be positive and at most PT720H, got " + localTtl);
        }
        if ((backend == Backend.REDIS || backend == Backend.TIERED) && redis == null) {
            throw new IllegalArgumentException("lanes.cache.backend " + backend.name().toLowerCase(Locale.ROOT)
                    + " needs lanes.cache.redis.url (or --redis)");
        }
    }

    public static CacheSettings defaults() {
        return new CacheSettings(Backend.LOCAL, 256L << 20, Duration.ofMinutes(10), null, false);
    }

    /** Builds the configured cache; the caller closes it. */
    public PredictionCache create() {
        return create(RedisStats.none());
    }

    /** Builds the configured cache, a Redis one reporting to {@code redisStats}; the caller closes it. */
    public PredictionCache create(RedisStats redisStats) {
        return switch (backend) {
            case NONE -> PredictionCache.none();
            case LOCAL -> new LocalPredictionCache(localMaxBytes, localTtl);
            case REDIS -> new RedisPredictionCache(redis, redisStats);
            case TIERED -> new TieredPredictionCache(new LocalPredictionCache(localMaxBytes, localTtl),
                    new RedisPredictionCache(redis, redisStats));
        };
    }
}
