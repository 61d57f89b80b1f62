package dev.lanes.cache;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CacheKeyBenchmark} runs once, briefly and in this JVM, so a benchmark broken by a code
 * change fails the build instead of the next measurement. Scores are not looked at.
 */
class CacheKeyBenchmarkSmokeTest {
    @Test
    void everyBenchmarkRuns() throws Exception {
        Collection<RunResult> results = JmhOnce.run(CacheKeyBenchmark.class);
        Set<String> names = new TreeSet<>();
        results.forEach(r -> names.add(r.getParams().getBenchmark().replaceAll(".*\\.(\\w+\\.\\w+)$", "$1")));
        assertEquals(new TreeSet<>(Set.of("CacheKeyBenchmark.key")), names);
        assertTrue(results.stream().allMatch(r -> r.getPrimaryResult().getScore() > 0));
    }
}
