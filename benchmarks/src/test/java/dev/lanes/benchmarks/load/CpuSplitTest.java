package dev.lanes.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
