package dev.lanes.benchmarks.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the generator saw, safe for many threads: counts by outcome since the start, latencies
 * of successful requests in interval histograms, and error reasons with counts.
 */
final class Tally {
    private final Recorder latency = new Recorder(TimeUnit.MINUTES.toNanos(5), 3);
    private final LongAdder ok = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
    private Histogram interval;

    void record(Outcome outcome, long nanos) {
        switch (outcome.kind()) {
            case OK -> {
                ok.increment();
                latency.recordValue(Math.max(1, nanos));
            }
            case REJECTED -> rejected.increment();
            case ERROR -> {
                errors.increment();
                String reason = outcome.reason().length() > 200 ? outcome.reason().substring(0, 200) : outcome.reason();
                reasons.computeIfAbsent(reason, k -> new LongAdder()).increment();
            }
        }
    }

    /** Latencies recorded since the previous call. Not thread-safe: one reader. */
    Histogram takeInterval() {
        interval = latency.getIntervalHistogram(interval);
        return interval.copy();
    }

    Counts counts() {
        return new Counts(ok.sum(), rejected.sum(), errors.sum());
    }

    Map<String, Long> reasons() {
        Map<String, Long> copy = new TreeMap<>();
        reasons.forEach((reason, count) -> copy.put(reason, count.sum()));
        return copy;
    }
}
