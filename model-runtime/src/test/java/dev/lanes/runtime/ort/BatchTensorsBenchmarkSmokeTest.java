package dev.lanes.runtime.ort;

import dev.lanes.runtime.testing.JmhSmoke;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link BatchTensorsBenchmark} still runs (see {@link JmhSmoke}). */
class BatchTensorsBenchmarkSmokeTest {
    @Test
    void everyBenchmarkRuns() throws Exception {
        assertEquals(Set.of("assemble", "slice"), JmhSmoke.runOnce(BatchTensorsBenchmark.class));
    }
}
