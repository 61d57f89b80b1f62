package dev.lanes.benchmarks.load;

import java.io.Serializable;

/** Requests by outcome; cumulative in a tally, so differences of two give an interval's. */
public record Counts(long ok, long rejected, long errors) implements Serializable {
    Counts minus(Counts earlier) {
        return new Counts(ok - earlier.ok, rejected - earlier.rejected, errors - earlier.errors);
    }

    Counts plus(Counts other) {
        return new Counts(ok + other.ok, rejected + other.rejected, errors + other.errors);
    }
}
