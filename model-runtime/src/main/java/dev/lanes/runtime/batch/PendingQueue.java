package dev.lanes.runtime.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The queue of admitted requests and the rule that forms batches from it (Triton's dynamic batcher
 * contract). Pure logic over an explicit clock: not thread-safe, the {@link DynamicBatcher} guards
 * it with its lock, and tests drive it with made-up times.
 *
 * <p>A batch always starts from the oldest request and takes later requests with the same
 * {@link BatchKey} in arrival order while they fit into {@code max_batch_size}; a request is never
 * split and never overtaken by a later one that would fit. The batch is dispatched at once when it
 * reaches the largest preferred size (or the maximum) or cannot grow any more; otherwise when the
 * oldest request has waited {@code max_queue_delay}, cut to the largest preferred size it contains.
 */
final class PendingQueue {
    private final BatchPolicy policy;
    private final ArrayDeque<InferenceTask> tasks = new ArrayDeque<>();

    PendingQueue(BatchPolicy policy) {
        this.policy = policy;
    }

    /** Admits a task unless the queue is at capacity. */
    boolean offer(InferenceTask task) {
        if (tasks.size() >= policy.maxQueueSize()) {
            return false;
        }
        tasks.addLast(task);
        return true;
    }

    int size() {
        return tasks.size();
    }

    boolean isEmpty() {
        return tasks.isEmpty();
    }

    boolean remove(InferenceTask task) {
        Iterator<InferenceTask> iterator = tasks.iterator();
        while (iterator.hasNext()) {
            if (iterator.next() == task) {
                iterator.remove();
                return true;
            }
        }
        return false;
    }

    /** Removes every task whose deadline has passed and hands it to {@code expired}. */
    void removeExpired(long now, Consumer<InferenceTask> expired) {
        Iterator<InferenceTask> iterator = tasks.iterator();
        while (iterator.hasNext()) {
            InferenceTask task = iterator.next();
            if (task.expiredAt(now)) {
                iterator.remove();
                expired.accept(task);
            }
        }
    }

    /**
     * The batch to run now, removed from the queue, or an empty list when the batcher should wait
     * until {@link #nextDecisionNanos}. With {@code flush} the delay is ignored (draining).
     */
    List<InferenceTask> poll(long now, boolean flush) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        if (!policy.dynamicBatching()) {
            return List.of(tasks.pollFirst());
        }
        InferenceTask oldest = tasks.peekFirst();
        int target = policy.targetBatchSize();
        List<InferenceTask> candidate = new ArrayList<>();
        int rows = 0;
        boolean cannotGrow = false;
        for (InferenceTask task : tasks) {
            if (!task.batchKey().equals(oldest.batchKey())) {
                continue;
            }
            if (rows + task.rows() > policy.maxBatchSize()) {
                cannotGrow = true;
                break;
            }
            candidate.add(task);
            rows += task.rows();
            if (rows >= target) {
                break;
            }
        }
        if (candidate.isEmpty()) {
            // The oldest alone exceeds max_batch_size: validation prevents this; run it alone.
            candidate.add(oldest);
        } else if (rows < target && !cannotGrow && !flush
                && now - oldest.enqueuedNanos() < policy.maxQueueDelayNanos()) {
            return List.of();
        } else if (rows < target) {
            candidate = cutToPreferred(candidate);
        }
        removeAll(candidate);
        return candidate;
    }

    /** When the caller should look again: the oldest task's delay end or the nearest deadline. */
    long nextDecisionNanos(long now) {
        if (tasks.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long next = policy.dynamicBatching() ? tasks.peekFirst().enqueuedNanos() + policy.maxQueueDelayNanos() : now;
        for (InferenceTask task : tasks) {
            next = Math.min(next, task.deadlineNanos());
        }
        return next;
    }

    private List<InferenceTask> cutToPreferred(List<InferenceTask> candidate) {
        if (!policy.hasPreferredSizes()) {
            return candidate;
        }
        int rows = 0;
        int cut = 0;
        for (int i = 0; i < candidate.size(); i++) {
            rows += candidate.get(i).rows();
            if (policy.isPreferred(rows)) {
                cut = i + 1;
            }
        }
        return cut == 0 ? candidate : candidate.subList(0, cut);
    }

    private void removeAll(List<InferenceTask> batch) {
        if (batch.size() == 1) {
            remove(batch.get(0));
            return;
        }
        Set<InferenceTask> chosen = Collections.newSetFromMap(new IdentityHashMap<>());
        chosen.addAll(batch);
        tasks.removeIf(chosen::contains);
    }
}
