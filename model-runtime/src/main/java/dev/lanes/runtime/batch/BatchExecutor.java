package dev.lanes.runtime.batch;

import java.util.List;

/**
 * Runs one formed batch on one execution instance. Called by exactly one batch worker thread at a
 * time per instance; it must complete or fail every task it is given (the worker fails any it
 * leaves behind).
 */
@FunctionalInterface
public interface BatchExecutor {
    void execute(List<InferenceTask> batch);
}
