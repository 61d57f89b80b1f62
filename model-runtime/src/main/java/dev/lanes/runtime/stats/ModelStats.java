package dev.lanes.runtime.stats;

/**
 * What the runtime reports about one model while it serves. Implementations must be thread-safe
 * and cheap: they are called on the batch workers' hot path. {@link #disabled()} records nothing.
 */
public interface ModelStats {
    /** A request left the queue to run, after waiting {@code nanos}. */
    void queueWait(long nanos);

    /** A batch ran to completion; reported once per batch, by its batcher. */
    void batchExecuted(ExecutedBatch batch);

    /** A request's deadline passed while it was queued. */
    void requestExpired();

    static ModelStats disabled() {
        return Disabled.INSTANCE;
    }

    enum Disabled implements ModelStats {
        INSTANCE;

        @Override
        public void queueWait(long nanos) {
        }

        @Override
        public void batchExecuted(ExecutedBatch batch) {
        }

        @Override
        public void requestExpired() {
        }
    }
}
