package dev.lanes.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;

/**
 * The in-process cache: Caffeine bounded by the bytes of its values (plus a per-entry overhead),
 * with a time-to-live after write. Thread-safe; never fails.
 */
public final class LocalPredictionCache implements PredictionCache {
    /** Key digest, object headers and map entry: a fixed estimate per entry. */
    static final int ENTRY_OVERHEAD = 128;

    private final Cache<CacheKey, byte[]> cache;

    public LocalPredictionCache(long maxBytes, Duration ttl) {
        this(maxBytes, ttl, Ticker.systemTicker());
    }

    /** With an injected ticker, so tests can expire entries without waiting. */
    LocalPredictionCache(long maxBytes, Duration ttl, Ticker ticker) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((CacheKey key, byte[] value) -> ENTRY_OVERHEAD + value.length)
                .expireAfterWrite(ttl)
                .ticker(ticker)
                .executor(Runnable::run) // evict on the caller's thread: no background pool to size
                .build();
    }

    @Override
    public Lookup get(CacheKey key) {
        byte[] value = cache.getIfPresent(key);
        return value == null ? Lookup.miss() : Lookup.hit(value);
    }

    @Override
    public void put(CacheKey key, byte[] value) {
        cache.put(key, value);
    }

    @Override
    public String name() {
        return "local";
    }

    public long entries() {
        return cache.estimatedSize();
    }

    /** Bytes held, by the same weights that bound the cache. */
    public long bytes() {
        return cache.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0L)).orElse(0L);
    }

    void cleanUp() {
        cache.cleanUp();
    }
}
