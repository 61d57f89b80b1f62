package dev.lanes.cache;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sentinels or cluster seeds that never answer: the cache fails open and retrying leaks nothing. */
class RedisUnreachableTest {
    private static RedisAddress deadAddress() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return new RedisAddress("127.0.0.1", socket.getLocalPort()); // closed again: nothing listens
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sentinel", "cluster"})
    void everyLookupIsAnError_andRetriedBuildsLeaveNoThreadBehind(String kind) throws Exception {
        List<RedisAddress> dead = List.of(deadAddress(), deadAddress());
        RedisTopology topology = kind.equals("sentinel") ? new RedisTopology.Sentinel(dead, "m", 0)
                : new RedisTopology.Cluster(dead);
        RedisSettings settings = RedisSettings.of(topology)
                .withLimits(Duration.ofMillis(100), Duration.ofMinutes(1), "t:", 2, 1, Duration.ZERO);
        int threadsBefore = Thread.getAllStackTraces().size();
        try (RedisPredictionCache cache = new RedisPredictionCache(settings)) {
            // builds are retried every 500 ms at most: about five in this window
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2600);
            while (System.nanoTime() < end) {
                assertEquals(Lookup.Result.ERROR, cache.get(PredictionCacheContract.key("m", 1)).result());
                cache.put(PredictionCacheContract.key("m", 1), new byte[1]);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        int grown = Thread.getAllStackTraces().size() - threadsBefore;
        assertTrue(grown < 3, "platform threads grew by " + grown + " over the failed builds");
    }
}
