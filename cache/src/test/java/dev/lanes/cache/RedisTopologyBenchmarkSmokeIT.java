package dev.lanes.cache;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RedisTopologyBenchmark} runs once, briefly and in this JVM, on every topology it
 * measures (each starts and stops its Redis processes), so a broken benchmark fails the build
 * instead of the next measurement. Scores are not looked at.
 */
class RedisTopologyBenchmarkSmokeIT {
    @Test
    void everyTopologyRuns() throws Exception {
        Collection<RunResult> results = JmhOnce.run(RedisTopologyBenchmark.class);
        assertEquals(7 * 2, results.size(), "hit and miss on every topology");
        assertTrue(results.stream().allMatch(r -> r.getPrimaryResult().getSampleCount() > 0));
    }
}
