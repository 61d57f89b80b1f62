package dev.lanes.runtime.batch;

import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.runtime.testing.Tensors;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch formation driven by made-up times: no threads, no sleeps. */
class PendingQueueTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static BatchPolicy policy(int max, long delayNanos, int[] preferred, int capacity) {
        return new BatchPolicy(max, true, delayNanos, preferred, capacity, 0, false);
    }

    private static InferenceTask task(int rows, long width, long enqueued) {
        return task(rows, width, enqueued, Long.MAX_VALUE);
    }

    private static InferenceTask task(int rows, long width, long enqueued, long deadline) {
        List<Tensor> inputs = List.of(Tensors.fp32("x", new long[]{rows, width}, new float[(int) (rows * width)]));
        return new InferenceTask(inputs, Set.of(), rows, BatchKey.of(inputs), enqueued, deadline);
    }

    private static int rows(List<InferenceTask> batch) {
        return batch.stream().mapToInt(InferenceTask::rows).sum();
    }

    @Test
    void poll_beforeDelay_waitsThenDispatchesEverythingQueued() {
        PendingQueue queue = new PendingQueue(policy(8, 5 * MS, new int[0], 100));
        queue.offer(task(1, 4, 0));
        queue.offer(task(2, 4, 1 * MS));

        assertTrue(queue.poll(4 * MS, false).isEmpty());
        assertEquals(5 * MS, queue.nextDecisionNanos(4 * MS));
        List<InferenceTask> batch = queue.poll(5 * MS, false);
        assertEquals(3, rows(batch));
        assertTrue(queue.isEmpty());
    }

    @Test
    void poll_delayCountsFromOldestNotNewest() {
        PendingQueue queue = new PendingQueue(policy(8, 5 * MS, new int[0], 100));
        queue.offer(task(1, 4, 0));
        queue.offer(task(1, 4, 4 * MS));

        List<InferenceTask> batch = queue.poll(5 * MS, false);
        assertEquals(2, batch.size(), "the newest waited 1 ms, but the oldest's 5 ms decide");
    }

    @Test
    void poll_maxBatchSizeReached_dispatchesBeforeDelay() {
        PendingQueue queue = new PendingQueue(policy(4, 100 * MS, new int[0], 100));
        for (int i = 0; i < 5; i++) {
            queue.offer(task(1, 4, i));
        }
        List<InferenceTask> batch = queue.poll(10, false);
        assertEquals(4, rows(batch));
        assertEquals(1, queue.size());
    }

    @Test
    void poll_preferredSizeReached_dispatchesAtOnce() {
        PendingQueue queue = new PendingQueue(policy(16, 100 * MS, new int[]{4, 8}, 100));
        for (int i = 0; i < 8; i++) {
            queue.offer(task(1, 4, i));
        }
        assertEquals(8, rows(queue.poll(10, false)));
    }

    @Test
    void poll_afterDelay_cutsToLargestPreferredSize() {
        PendingQueue queue = new PendingQueue(policy(16, 5 * MS, new int[]{4, 8}, 100));
        for (int i = 0; i < 6; i++) {
            queue.offer(task(1, 4, 0));
        }
        assertTrue(queue.poll(1 * MS, false).isEmpty());
        assertEquals(4, rows(queue.poll(5 * MS, false)));
        assertEquals(2, rows(queue.poll(5 * MS, false)), "the rest, too old to wait, goes next");
    }

    @Test
    void poll_differentNonBatchDims_neverShareABatch() {
        PendingQueue queue = new PendingQueue(policy(8, 0, new int[0], 100));
        InferenceTask narrow = task(1, 4, 0);
        InferenceTask wide = task(1, 5, 1);
        InferenceTask narrowAgain = task(1, 4, 2);
        queue.offer(narrow);
        queue.offer(wide);
        queue.offer(narrowAgain);

        List<InferenceTask> first = queue.poll(10, false);
        assertEquals(List.of(narrow, narrowAgain), first);
        assertEquals(List.of(wide), queue.poll(10, false));
    }

    @Test
    void poll_multiRowRequestThatDoesNotFit_isNotSplitAndNotOvertaken() {
        PendingQueue queue = new PendingQueue(policy(8, 100 * MS, new int[0], 100));
        InferenceTask six = task(6, 4, 0);
        InferenceTask five = task(5, 4, 1);
        InferenceTask one = task(1, 4, 2);
        queue.offer(six);
        queue.offer(five);
        queue.offer(one);

        List<InferenceTask> first = queue.poll(10, false);
        assertEquals(List.of(six), first, "five does not fit; one must not overtake it");
        assertEquals(List.of(five, one), queue.poll(200 * MS, false));
    }

    @Test
    void offer_atCapacity_isRefused() {
        PendingQueue queue = new PendingQueue(policy(8, 0, new int[0], 2));
        assertTrue(queue.offer(task(1, 4, 0)));
        assertTrue(queue.offer(task(1, 4, 0)));
        assertFalse(queue.offer(task(1, 4, 0)));
        assertEquals(2, queue.size());
    }

    @Test
    void removeExpired_takesOnlyTasksPastTheirDeadline() {
        PendingQueue queue = new PendingQueue(policy(8, 100 * MS, new int[0], 100));
        InferenceTask expiring = task(1, 4, 0, 3 * MS);
        InferenceTask lasting = task(1, 4, 0, 50 * MS);
        queue.offer(expiring);
        queue.offer(lasting);

        assertEquals(3 * MS, queue.nextDecisionNanos(0), "the nearest deadline wakes the batcher");
        List<InferenceTask> expired = new java.util.ArrayList<>();
        queue.removeExpired(3 * MS, expired::add);
        assertEquals(List.of(expiring), expired);
        assertEquals(1, queue.size());
    }

    @Test
    void poll_withoutDynamicBatching_runsEachRequestAlone() {
        PendingQueue queue = new PendingQueue(BatchPolicy.unbatched(8, 100));
        InferenceTask first = task(2, 4, 0);
        queue.offer(first);
        queue.offer(task(2, 4, 0));
        List<InferenceTask> batch = queue.poll(0, false);
        assertEquals(1, batch.size());
        assertSame(first, batch.get(0));
    }

    @Test
    void poll_flush_ignoresDelay() {
        PendingQueue queue = new PendingQueue(policy(8, 100 * MS, new int[0], 100));
        queue.offer(task(1, 4, 0));
        assertTrue(queue.poll(1, false).isEmpty());
        assertEquals(1, queue.poll(1, true).size());
    }

    @Test
    void deadline_requestTimeoutOnlyLowersTheDefault() {
        BatchPolicy overridable = new BatchPolicy(8, true, 0, new int[0], 10, 10 * MS, true);
        assertEquals(5 * MS, overridable.deadline(0, 5 * MS));
        assertEquals(10 * MS, overridable.deadline(0, 50 * MS));
        BatchPolicy fixed = new BatchPolicy(8, true, 0, new int[0], 10, 10 * MS, false);
        assertEquals(10 * MS, fixed.deadline(0, 5 * MS));
        BatchPolicy none = new BatchPolicy(8, true, 0, new int[0], 10, 0, false);
        assertEquals(7 * MS, none.deadline(0, 7 * MS));
        assertEquals(Long.MAX_VALUE, none.deadline(0, 0));
    }
}
