package dev.lanes.runtime.batch;

import java.util.List;

/**
 * Runs one formed batch on one execution instance. Called by exactly one batch worker thread at a
 * time per instance; it completes every task it is given, or throws, and the worker then fails the
 * whole batch (only batches that ran count as executed).
 */
@FunctionalInterface
public interface BatchExecutor {
    void execute(List<InferenceTask> batch);
}
