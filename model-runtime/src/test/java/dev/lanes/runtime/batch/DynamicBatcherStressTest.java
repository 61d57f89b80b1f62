package dev.lanes.runtime.batch;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.stats.ModelStats;
import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.runtime.testing.Tensors;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DynamicBatcherStressTest {
    /** Answers each row with its input doubled, concatenating and slicing like a real instance. */
    private static final class DoublingExecutor implements BatchExecutor {
        final AtomicInteger batches = new AtomicInteger();
        final AtomicInteger maxRows = new AtomicInteger();
        final Set<InferenceTask> seen = ConcurrentHashMap.newKeySet();

        @Override
        public List<InferenceResult> execute(List<InferenceTask> batch, BatchPhases phases) {
            batches.incrementAndGet();
            List<InferenceResult> results = new java.util.ArrayList<>();
            int rows = batch.stream().mapToInt(InferenceTask::rows).sum();
            maxRows.accumulateAndGet(rows, Math::max);
            for (InferenceTask task : batch) {
                if (!seen.add(task)) {
                    throw new AssertionError("task executed twice");
                }
                float[] in = Tensors.floats(task.inputs().get(0));
                ByteBuffer out = ByteBuffer.allocate(in.length * 4).order(ByteOrder.nativeOrder());
                for (float value : in) {
                    out.putFloat(value * 2);
                }
                results.add(new InferenceResult(List.of(
                        Tensor.of("y", task.inputs().get(0).dataType(), task.inputs().get(0).shape(), out.flip())), rows));
            }
            return results;
        }
    }

    @Test
    void offer_thousandsOfVirtualThreads_everyFutureCompletesOnceWithItsOwnAnswer() throws Exception {
        BatchPolicy policy = new BatchPolicy(16, true, TimeUnit.MICROSECONDS.toNanos(200), new int[0], 10_000, 0, false);
        DoublingExecutor executor = new DoublingExecutor();
        int requests = 5_000;
        try (DynamicBatcher batcher = new DynamicBatcher("stress", policy, Ticker.system(), ModelStats.disabled())) {
            batcher.start(List.of(executor, executor, executor));
            List<Future<float[]>> answers = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < requests; i++) {
                    int id = i;
                    answers.add(threads.submit(() -> {
                        start.await();
                        int rows = 1 + id % 3;
                        float[] values = new float[rows * 2];
                        for (int v = 0; v < values.length; v++) {
                            values[v] = id * 10 + v;
                        }
                        List<Tensor> inputs = List.of(Tensors.fp32("x", new long[]{rows, 2}, values));
                        InferenceTask task = new InferenceTask(inputs, Set.of(), rows, BatchKey.of(inputs),
                                System.nanoTime(), Long.MAX_VALUE);
                        assertEquals(Admission.ACCEPTED, batcher.offer(task));
                        InferenceResult result = task.future().get(30, TimeUnit.SECONDS);
                        // its batch held at least its own rows and no more than max_batch_size
                        assertTrue(result.batchRows() >= rows && result.batchRows() <= 16, "batch of " + result.batchRows());
                        return Tensors.floats(result.outputs().get(0));
                    }));
                }
                start.countDown();
                for (int i = 0; i < requests; i++) {
                    int rows = 1 + i % 3;
                    float[] expected = new float[rows * 2];
                    for (int v = 0; v < expected.length; v++) {
                        expected[v] = (i * 10 + v) * 2;
                    }
                    assertArrayEquals(expected, answers.get(i).get(), "request " + i);
                }
            }
        }
        assertEquals(requests, executor.seen.size());
        assertTrue(executor.batches.get() < requests, "some requests shared a batch");
        assertTrue(executor.maxRows.get() <= 16, "no batch exceeds max_batch_size");
    }

    @Test
    void execute_executorThrows_failsItsWholeBatchAndOthersStillRun() throws Exception {
        BatchPolicy policy = BatchPolicy.unbatched(4, 100);
        AtomicInteger calls = new AtomicInteger();
        BatchExecutor flaky = (batch, phases) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            return batch.stream().map(task -> new InferenceResult(List.of(), 1)).toList();
        };
        try (DynamicBatcher batcher = new DynamicBatcher("flaky", policy, Ticker.system(), ModelStats.disabled())) {
            batcher.start(List.of(flaky));
            InferenceTask first = unbatchedTask();
            batcher.offer(first);
            ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> first.future().get(10, TimeUnit.SECONDS));
            InferenceException error = assertInstanceOf(InferenceException.class, failure.getCause());
            assertEquals(ErrorKind.RUNTIME_FAILURE, error.kind());

            InferenceTask second = unbatchedTask();
            batcher.offer(second);
            assertEquals(1, second.future().get(10, TimeUnit.SECONDS).batchRows());
        }
    }

    @Test
    void offer_queueFullAndShutdown_areRefusedWithoutBlocking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        BatchExecutor blocking = holdingUntil(running, release);
        DynamicBatcher batcher = new DynamicBatcher("full", BatchPolicy.unbatched(4, 2), Ticker.system(),
                ModelStats.disabled());
        batcher.start(List.of(blocking));
        InferenceTask executing = unbatchedTask();
        assertEquals(Admission.ACCEPTED, batcher.offer(executing));
        assertTrue(running.await(10, TimeUnit.SECONDS), "the first task reached an instance");
        assertEquals(Admission.ACCEPTED, batcher.offer(unbatchedTask()));
        assertEquals(Admission.ACCEPTED, batcher.offer(unbatchedTask()));
        assertEquals(2, batcher.queueLength());
        assertEquals(1, batcher.executingRequests());
        assertEquals(Admission.QUEUE_FULL, batcher.offer(unbatchedTask()));

        batcher.shutdown();
        assertEquals(Admission.SHUTTING_DOWN, batcher.offer(unbatchedTask()));
        release.countDown();
        assertTrue(batcher.awaitTermination(java.time.Duration.ofSeconds(10)), "queued work drains, then workers stop");
        assertEquals(0, batcher.queueLength());
        batcher.close();
    }

    @Test
    void cancelQueued_taskStillQueued_failsItWithTheReason() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BatchExecutor blocking = (batch, phases) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return batch.stream().map(task -> new InferenceResult(List.of(), 1)).toList();
        };
        try (DynamicBatcher batcher = new DynamicBatcher("cancel", BatchPolicy.unbatched(4, 10), Ticker.system(),
                ModelStats.disabled())) {
            batcher.start(List.of(blocking));
            batcher.offer(unbatchedTask());
            InferenceTask queued = unbatchedTask();
            batcher.offer(queued);
            assertTrue(batcher.cancelQueued(queued, new InferenceException(ErrorKind.DEADLINE_EXCEEDED, "late")));
            ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> queued.future().get(1, TimeUnit.SECONDS));
            assertEquals(ErrorKind.DEADLINE_EXCEEDED, ((InferenceException) failure.getCause()).kind());
            release.countDown();
        }
    }

    /**
     * Issue 12 item 7: close() gave up after its drain and the version then closed its sessions
     * under a worker still inside session.run. It must say so, so the sessions stay open.
     */
    @Test
    void close_workerStillRunningAfterTheDrain_saysSoAndTheQueuedAreFailed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        BatchExecutor stuck = holdingUntil(running, release);
        DynamicBatcher batcher = new DynamicBatcher("stuck", BatchPolicy.unbatched(4, 10), Ticker.system(),
                ModelStats.disabled());
        batcher.start(List.of(stuck));
        InferenceTask runningTask = unbatchedTask();
        batcher.offer(runningTask);
        assertTrue(running.await(10, TimeUnit.SECONDS));
        InferenceTask queued = unbatchedTask();
        batcher.offer(queued);

        assertFalse(batcher.close(java.time.Duration.ofMillis(50)), "a worker is still inside its batch");
        assertFalse(batcher.workersStopped());
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> queued.future().get(1, TimeUnit.SECONDS));
        assertEquals(ErrorKind.SHUTTING_DOWN, ((InferenceException) failure.getCause()).kind());

        release.countDown();
        assertEquals(1, runningTask.future().get(10, TimeUnit.SECONDS).batchRows(), "the running batch finishes");
        assertTrue(batcher.awaitTermination(java.time.Duration.ofSeconds(10)));
        assertTrue(batcher.workersStopped());
    }

    /** Counts {@code running} down when a batch starts and holds it until {@code release}. */
    private static BatchExecutor holdingUntil(CountDownLatch running, CountDownLatch release) {
        return (batch, phases) -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return batch.stream().map(task -> new InferenceResult(List.of(), 1)).toList();
        };
    }

    private static InferenceTask unbatchedTask() {
        List<Tensor> inputs = List.of(Tensors.fp32("x", new long[]{1, 1}, 1f));
        return new InferenceTask(inputs, Set.of(), 1, BatchKey.unique(), System.nanoTime(), Long.MAX_VALUE);
    }
}
