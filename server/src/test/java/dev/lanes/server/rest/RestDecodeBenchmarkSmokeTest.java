package dev.lanes.server.rest;

import dev.lanes.runtime.testing.JmhSmoke;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RestDecodeBenchmark} still runs (see {@link JmhSmoke}); only this class's benchmarks,
 * though JMH reads every META-INF/BenchmarkList on the class path.
 */
class RestDecodeBenchmarkSmokeTest {
    @Test
    void everyBenchmarkRuns() throws Exception {
        assertEquals(Set.of("binary", "json"), JmhSmoke.runOnce(RestDecodeBenchmark.class));
    }
}
