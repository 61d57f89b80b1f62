package dev.lanes.runtime.batch;

import java.util.List;

/**
 * Runs one formed batch on one execution instance. Called by exactly one batch worker thread at a
 * time per instance; it returns one result per task, in order, or throws, and the worker then fails
 * the whole batch (only batches that ran count as executed). The executor marks its phases; the
 * worker times and records the batch, then completes the tasks, because completing runs the
 * callers' continuations (a gRPC answer is encoded and sent there), which are not the batch's time.
 */
@FunctionalInterface
public interface BatchExecutor {
    List<InferenceResult> execute(List<InferenceTask> batch, BatchPhases phases);
}
