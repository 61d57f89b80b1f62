package dev.lanes.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalPredictionCacheTest extends PredictionCacheContract {
    private final AtomicLong now = new AtomicLong();
    private final LocalPredictionCache cache = new LocalPredictionCache(64L << 20, Duration.ofMinutes(5), now::get);

    @Override
    PredictionCache cache() {
        return cache;
    }

    @Override
    void expireEverything() {
        now.addAndGet(Duration.ofMinutes(5).toNanos() + 1);
    }

    @Test
    void put_overTheByteBound_evictsSoTheBoundHolds() {
        long bound = 10_000;
        LocalPredictionCache small = new LocalPredictionCache(bound, Duration.ofMinutes(5), Ticker.systemTicker());
        for (int i = 0; i < 100; i++) {
            small.put(key("evict", i), value(1000, i));
        }
        small.cleanUp();
        assertTrue(small.bytes() <= bound, small.bytes() + " bytes held");
        assertTrue(small.entries() < 100 && small.entries() > 0, small.entries() + " entries");
        assertEquals(small.entries() * (1000 + LocalPredictionCache.ENTRY_OVERHEAD), small.bytes());
    }
}
