package dev.lanes.cache;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What every {@link PredictionCache} backend must do; each backend's test runs these cases. */
abstract class PredictionCacheContract {
    /** The backend under test, with a TTL the test can make pass through {@link #expireEverything()}. */
    abstract PredictionCache cache();

    /** Lets the TTL of everything stored so far pass. */
    abstract void expireEverything() throws Exception;

    /** Redis expires keys on its own clock: waits out {@code ttl} and a margin (bounded), no fixed sleep in an assertion. */
    static void waitOut(Duration ttl) {
        long end = System.nanoTime() + ttl.toNanos() + TimeUnit.MILLISECONDS.toNanos(50);
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(end - System.nanoTime());
        }
    }

    static CacheKey key(String model, int seed) {
        return new CacheKeyBuilder(model, 1, new TreeSet<>(List.of("y")))
                .input("x", "FP32", new long[]{1, 4}, ByteBuffer.wrap(new byte[]{(byte) seed, (byte) (seed >> 8), 3, 4}))
                .build();
    }

    static byte[] value(int size, long seed) {
        byte[] value = new byte[size];
        new Random(seed).nextBytes(value);
        return value;
    }

    @Test
    void get_afterPut_returnsTheSameBytes() {
        CacheKey key = key("m", 1);
        byte[] value = value(100, 1);
        cache().put(key, value);
        Lookup lookup = cache().get(key);
        assertEquals(Lookup.Result.HIT, lookup.result());
        assertArrayEquals(value, lookup.value());
    }

    @Test
    void get_unknownKey_misses() {
        assertEquals(Lookup.Result.MISS, cache().get(key("m", 404)).result());
    }

    @Test
    void get_afterTtl_misses() throws Exception {
        CacheKey key = key("m", 2);
        cache().put(key, value(10, 2));
        assertEquals(Lookup.Result.HIT, cache().get(key).result());
        expireEverything();
        assertEquals(Lookup.Result.MISS, cache().get(key).result());
    }

    @Test
    void putAndGet_largeValue_roundTrips() {
        CacheKey key = key("m", 3);
        byte[] value = value(8 << 20, 3);
        cache().put(key, value);
        assertArrayEquals(value, cache().get(key).value());
    }

    @Test
    void concurrentAccess_everyReaderSeesItsOwnValue() throws Exception {
        int keys = 200;
        List<Future<Void>> calls = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < keys; i++) {
                int seed = 1000 + i;
                calls.add(threads.submit(() -> {
                    CacheKey key = key("concurrent", seed);
                    byte[] value = value(256 + seed % 100, seed);
                    cache().put(key, value);
                    for (int round = 0; round < 5; round++) {
                        Lookup lookup = cache().get(key);
                        assertEquals(Lookup.Result.HIT, lookup.result());
                        assertArrayEquals(value, lookup.value());
                    }
                    return null;
                }));
            }
            for (Future<Void> call : calls) {
                call.get();
            }
        }
    }
}
