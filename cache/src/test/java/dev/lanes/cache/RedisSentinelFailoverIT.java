package dev.lanes.cache;

import dev.lanes.cache.testing.RedisSentinelFixture;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The master is killed under load: no call fails, hits come back on the promoted replica without
 * a restart, and what is stored after the failover is shared with a second client.
 */
class RedisSentinelFailoverIT {
    @Test
    void masterKilled_underLoad_callsNeverThrow_andHitsResumeOnTheNewMaster() throws Exception {
        try (RedisSentinelFixture redis = new RedisSentinelFixture();
             RedisPredictionCache cache = new RedisPredictionCache(
                     RedisSentinelCacheIT.sentinelSettings(redis, Duration.ofMinutes(5)))) {
            CacheKey before = PredictionCacheContract.key("failover", 1);
            byte[] beforeValue = PredictionCacheContract.value(64, 1);
            cache.put(before, beforeValue);
            assertEquals(Lookup.Result.HIT, cache.get(before).result());
            try (Jedis master = new Jedis("127.0.0.1", redis.master().port())) {
                assertEquals(1, master.waitReplicas(1, 5000), "the replica has the entry before the master dies");
            }

            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicLong calls = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            Thread load = Thread.ofVirtual().start(() -> {
                int seed = 1000;
                while (!stop.get()) {
                    try {
                        CacheKey distinct = PredictionCacheContract.key("load", seed++);
                        if (cache.get(distinct).result() == Lookup.Result.ERROR) {
                            errors.incrementAndGet();
                        }
                        cache.put(distinct, PredictionCacheContract.value(32, seed));
                        cache.get(before); // a repeated request
                        calls.addAndGet(3);
                    } catch (Throwable t) {
                        thrown.compareAndSet(null, t);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            });

            long killed = System.nanoTime();
            redis.killMasterAndAwaitFailover(Duration.ofSeconds(60));
            long promoted = System.nanoTime();
            long firstHit = awaitHit(cache, before, Duration.ofSeconds(60));
            stop.set(true);
            load.join();

            assertNull(thrown.get(), "a cache call threw during the failover");
            assertTrue(errors.get() > 0, "the dead master was noticed (else this test proved nothing)");
            assertArrayEquals(beforeValue, cache.get(before).value(), "the replica's copy, now the master's");
            System.out.printf("sentinel failover: promotion %d ms after the kill, first hit %d ms after the kill,"
                            + " %d calls, %d lookup errors%n", TimeUnit.NANOSECONDS.toMillis(promoted - killed),
                    TimeUnit.NANOSECONDS.toMillis(firstHit - killed), calls.get(), errors.get());

            CacheKey after = PredictionCacheContract.key("failover", 2);
            cache.put(after, PredictionCacheContract.value(64, 2));
            try (RedisPredictionCache second = new RedisPredictionCache(
                    RedisSentinelCacheIT.sentinelSettings(redis, Duration.ofMinutes(5)))) {
                Lookup shared = second.get(after);
                assertEquals(Lookup.Result.HIT, shared.result(), "stored after the failover, seen by a second client");
                assertArrayEquals(PredictionCacheContract.value(64, 2), shared.value());
            }
        }
    }

    /** Polls until {@code key} hits; returns when (nanoTime). A bound, not a measured figure. */
    private static long awaitHit(RedisPredictionCache cache, CacheKey key, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (cache.get(key).result() == Lookup.Result.HIT) {
                return System.nanoTime();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new AssertionError("no hit within " + timeout + " of the failover");
    }
}
