package dev.lanes.runtime.stats;

/** A live view of one model's load, read by gauges. Implementations are thread-safe. */
public interface LoadView {
    /** Requests admitted and not yet executing, over all loaded versions. */
    int queueLength();

    /** Requests inside batches that are running now, over all loaded versions. */
    int executingRequests();
}
