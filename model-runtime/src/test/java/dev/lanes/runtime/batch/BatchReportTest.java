package dev.lanes.runtime.batch;

import dev.lanes.runtime.stats.ExecutedBatch;
import dev.lanes.runtime.stats.ModelStats;
import dev.lanes.runtime.stats.VersionStatistics;
import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.runtime.testing.Tensors;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batcher is the one writer of batch statistics: each batch that ran is reported once, timed
 * on the batcher's clock in the phases its executor marked, and Triton's statistics and the
 * model's meters both read that one report.
 */
class BatchReportTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Ticker ticker = clock::get;
    /** The instance thread's CPU clock: advanced by the executors below, like the wall clock. */
    private final AtomicLong cpuClock = new AtomicLong(500);
    private final List<ExecutedBatch> meters = new CopyOnWriteArrayList<>();
    private final VersionStatistics statistics = new VersionStatistics(recording(meters));

    /** A model's meters that keep each reported batch. */
    private static ModelStats recording(List<ExecutedBatch> batches) {
        return new ModelStats() {
            @Override
            public void queueWait(long nanos) {
            }

            @Override
            public void batchExecuted(ExecutedBatch batch) {
                batches.add(batch);
            }

            @Override
            public void requestExpired() {
            }
        };
    }

    @Test
    void batchExecuted_executorMarksPhases_reportsEachPhaseOnceOnTheBatchersClock() throws Exception {
        BatchExecutor marking = (batch, phases) -> {
            clock.addAndGet(3_000);
            phases.assembled();
            clock.addAndGet(5_000);
            phases.ran();
            clock.addAndGet(2_000);
            return answers(batch);
        };
        runOne(marking, task(2));

        assertEquals(List.of(new ExecutedBatch(2, 1, 3_000, 5_000, 2_000, 0)), meters);
        assertEquals(1, statistics.executionCount());
        assertEquals(2, statistics.inferenceCount());
        assertEquals(3_000, statistics.computeInput().nanos());
        assertEquals(5_000, statistics.computeInfer().nanos());
        assertEquals(2_000, statistics.computeOutput().nanos());
        assertEquals(1, statistics.batchSizes().get(2).infer().count());
    }

    @Test
    void batchExecuted_executorMarksNothing_countsTheWholeRunAsInference() throws Exception {
        BatchExecutor silent = (batch, phases) -> {
            clock.addAndGet(7_000);
            return answers(batch);
        };
        runOne(silent, task(1));

        assertEquals(List.of(new ExecutedBatch(1, 1, 0, 7_000, 0, 0)), meters);
        assertEquals(7_000, statistics.computeInfer().nanos());
    }

    @Test
    void batchExecuted_reportsTheInstanceThreadsCpuTime_besideTheWallTime() throws Exception {
        BatchExecutor preempted = (batch, phases) -> {
            clock.addAndGet(10_000); // ten microseconds passed, of which the thread ran four
            cpuClock.addAndGet(4_000);
            return answers(batch);
        };
        runOne(preempted, task(3));

        assertEquals(List.of(new ExecutedBatch(3, 1, 0, 10_000, 0, 4_000)), meters);
        assertEquals(4_000, statistics.computeCpu().nanos());
        assertEquals(1, statistics.computeCpu().count());
        assertEquals(4_000, statistics.batchSizes().get(3).cpu().nanos());
    }

    @Test
    void cpuClockUnknown_reportsMinusOne_andCountsNoCpuTime() throws Exception {
        cpuClock.set(-1);
        runOne((batch, phases) -> answers(batch), task(1));
        assertEquals(-1, meters.get(0).cpuNanos());
        assertEquals(0, statistics.computeCpu().count());
    }

    /** The real clocks: a thread that sleeps through its batch shows wall time but little CPU time. */
    @Test
    void systemCpuClock_seesAThreadOffTheCpu() throws Exception {
        List<ExecutedBatch> reported = new CopyOnWriteArrayList<>();
        ModelStats sink = recording(reported);
        BatchExecutor sleeping = (batch, phases) -> {
            try {
                Thread.sleep(200); // the behaviour under test: a thread off the CPU for a known span
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return answers(batch);
        };
        try (DynamicBatcher batcher = new DynamicBatcher("sleepy", BatchPolicy.unbatched(4, 10), Ticker.system(), sink)) {
            batcher.start(List.of(sleeping));
            InferenceTask task = new InferenceTask(List.of(Tensors.fp32("x", new long[]{1, 1}, new float[1])), Set.of(),
                    1, BatchKey.unique(), System.nanoTime(), Long.MAX_VALUE);
            assertEquals(Admission.ACCEPTED, batcher.offer(task));
            task.future().get(10, TimeUnit.SECONDS);
        }
        ExecutedBatch batch = reported.get(0);
        assertTrue(batch.nanos() >= TimeUnit.MILLISECONDS.toNanos(200), "wall " + batch.nanos());
        assertTrue(batch.cpuNanos() >= 0 && batch.cpuNanos() < batch.nanos() / 2,
                "sleeping costs little CPU: " + batch.cpuNanos() + " of " + batch.nanos() + " ns");
    }

    @Test
    void batchExecuted_executorFails_reportsNoBatch() throws Exception {
        BatchExecutor failing = (batch, phases) -> {
            phases.assembled();
            throw new IllegalStateException("the model failed");
        };
        InferenceTask task = task(1);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> runOne(failing, task));
        // A defect's own words stay in the log (issue 12 item 10).
        assertEquals("model report failed on this batch; the node's log has the details",
                failure.getCause().getMessage());

        assertEquals(List.of(), meters);
        assertEquals(0, statistics.executionCount());
    }

    private void runOne(BatchExecutor executor, InferenceTask task) throws Exception {
        try (DynamicBatcher batcher = new DynamicBatcher("report", BatchPolicy.unbatched(4, 10), ticker, cpuClock::get,
                statistics)) {
            batcher.start(List.of(executor));
            assertEquals(Admission.ACCEPTED, batcher.offer(task));
            task.future().get(10, TimeUnit.SECONDS);
        }
    }

    private InferenceTask task(int rows) {
        float[] values = new float[rows];
        List<Tensor> inputs = List.of(Tensors.fp32("x", new long[]{rows, 1}, values));
        return new InferenceTask(inputs, Set.of(), rows, BatchKey.unique(), clock.get(), Long.MAX_VALUE);
    }

    private static List<InferenceResult> answers(List<InferenceTask> batch) {
        return batch.stream().map(task -> new InferenceResult(List.of(), task.rows())).toList();
    }
}
