package dev.lanes.benchmarks.suite;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compilers' CPU between two readings, per thread, and this JVM's own compiler threads. */
class JitSettleTest {
    @Test
    void aCompilerThreadThatEndedDoesNotHideAnotherOnesWork() {
        // thread 11 compiled 50 ticks and ended; thread 12 did 30 more; thread 13 is new with 5
        Map<String, Long> before = Map.of("11", 400L, "12", 100L);
        Map<String, Long> now = Map.of("12", 130L, "13", 5L);
        assertEquals(0.35, JitSettle.compilerSeconds(before, now), 1e-9);
    }

    @Test
    void findsThisJvmsCompilerThreads() {
        Map<String, Long> ticks = JitSettle.compilerTicks(ProcessHandle.current().pid());
        assertTrue(!ticks.isEmpty(), "HotSpot's C1 and C2 threads are listed in /proc");
        assertTrue(ticks.values().stream().allMatch(t -> t >= 0), ticks.toString());
    }
}
