package dev.lanes.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuSplitTest {
    @Test
    void kernelCpuLists_parse() {
        assertEquals(List.of(0, 1, 2, 3, 8, 10, 11), CpuSplit.parse("0-3,8,10-11"));
        assertEquals(List.of(5), CpuSplit.parse("5"));
        assertEquals(List.of(0, 1), CpuSplit.parse(" 1,0 "));
    }

    @Test
    void shared_runsEverythingEverywhere() {
        assertFalse(CpuSplit.SHARED.split());
        assertEquals(List.of(), CpuSplit.SHARED.prefix());
    }

    @Test
    void split_prefixesTheMeasuredSide() {
        CpuSplit split = new CpuSplit("2,3", "0,1");
        assertEquals(List.of("taskset", "-c", "2,3"), split.prefix());
    }

    @Test
    void pinServer_movesAnotherProcessToTheMeasuredCpusAndBack() throws Exception {
        CpuSplit split = CpuSplit.choose(false);
        assertTrue(split.split(), "this machine has two CPUs and taskset: the cores are split by default");
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            List<Integer> before = CpuSplit.allowedCpusOf(child.pid());
            try (CpuSplit.Pinning pinned = split.pinServer(child.pid())) {
                assertEquals(CpuSplit.parse(split.measured()), CpuSplit.allowedCpusOf(child.pid()));
            }
            assertEquals(before, CpuSplit.allowedCpusOf(child.pid()), "its CPUs are given back");
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
