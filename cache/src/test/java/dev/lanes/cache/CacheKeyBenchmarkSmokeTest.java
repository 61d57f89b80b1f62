package dev.lanes.cache;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CacheKeyBenchmark} runs once, briefly and in this JVM, so a benchmark broken by a code
 * change fails the build instead of the next measurement. Scores are not looked at.
 */
class CacheKeyBenchmarkSmokeTest {
    @Test
    void everyBenchmarkRuns() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(Pattern.quote(CacheKeyBenchmark.class.getName() + "."))
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .shouldFailOnError(true)
                .build()).run();
        Set<String> names = new TreeSet<>();
        results.forEach(r -> names.add(r.getParams().getBenchmark().replaceAll(".*\\.(\\w+\\.\\w+)$", "$1")));
        assertEquals(new TreeSet<>(Set.of("CacheKeyBenchmark.key")), names);
        assertTrue(results.stream().allMatch(r -> r.getPrimaryResult().getScore() > 0));
    }
}
