package dev.lanes.runtime.batch;

/**
 * Where a running batch is, marked by its executor on the batcher's clock, so the batcher alone
 * times and reports the batch. An executor that marks nothing has its whole run counted as
 * inference. Used by the one worker running the batch.
 */
public final class BatchPhases {
    private static final long UNMARKED = Long.MIN_VALUE;

    private final Ticker ticker;
    private long assembledAt = UNMARKED;
    private long ranAt = UNMARKED;

    BatchPhases(Ticker ticker) {
        this.ticker = ticker;
    }

    /** The inputs are ready for the model. */
    public void assembled() {
        assembledAt = ticker.nanos();
    }

    /** The model has run; what follows is slicing its outputs per request. */
    public void ran() {
        ranAt = ticker.nanos();
    }

    long assembledAt(long start) {
        return assembledAt == UNMARKED ? start : assembledAt;
    }

    long ranAt(long end) {
        return ranAt == UNMARKED ? end : ranAt;
    }
}
