package dev.lanes.cache;

/**
 * Stores encoded predictions by key. Implementations are thread-safe and fail open: a backend
 * failure is reported as {@link Lookup.Result#ERROR} (or a dropped store), never thrown, and no
 * call waits longer than the backend's configured timeout.
 */
public interface PredictionCache extends AutoCloseable {
    Lookup get(CacheKey key);

    void put(CacheKey key, byte[] value);

    /**
     * Says once, in the log, whether a remote backend answers (and why not: unreachable, or its
     * credentials refused); the node serves either way. Never throws; a Redis backend waits at
     * most one timeout per configured endpoint, plus one, and 10 s at most.
     */
    default void checkAtStart() {
    }

    /** A short name for logs and docs: none, local, redis or tiered. */
    String name();

    @Override
    default void close() {
    }

    /** The cache that stores nothing: every lookup misses. */
    static PredictionCache none() {
        return new PredictionCache() {
            @Override
            public Lookup get(CacheKey key) {
                return Lookup.miss();
            }

            @Override
            public void put(CacheKey key, byte[] value) {
            }

            @Override
            public String name() {
                return "none";
            }
        };
    }
}
