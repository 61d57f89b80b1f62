package dev.lanes.cache;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;

/**
 * {@link PredictionCacheContract} on one Redis topology: a subclass starts its Redis processes
 * once for the class and says how to reach them; entries live {@link #TTL}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RedisContract extends PredictionCacheContract {
    static final Duration TTL = Duration.ofMillis(300);

    /** The Redis processes this class started (closed after its tests) and the settings that reach them. */
    record Started(AutoCloseable redis, RedisSettings settings) {
    }

    private Started started;
    private RedisPredictionCache cache;

    abstract Started startRedis();

    @BeforeAll
    void start() {
        started = startRedis();
        cache = new RedisPredictionCache(started.settings());
    }

    @AfterAll
    void stop() throws Exception {
        cache.close();
        started.redis().close();
    }

    @Override
    PredictionCache cache() {
        return cache;
    }

    RedisSettings settings() {
        return started.settings();
    }

    @Override
    void expireEverything() {
        waitOut(TTL);
    }
}
