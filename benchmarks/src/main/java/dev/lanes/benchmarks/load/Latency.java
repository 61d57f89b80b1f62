package dev.lanes.benchmarks.load;

import java.io.Serializable;
import org.HdrHistogram.Histogram;

/** Latency percentiles in milliseconds, from an HdrHistogram of nanoseconds. */
public record Latency(long count, double mean, double p50, double p90, double p99, double p999, double max)
        implements Serializable {
    public static final Latency NONE = new Latency(0, 0, 0, 0, 0, 0, 0);

    public static Latency of(Histogram nanos) {
        if (nanos.getTotalCount() == 0) {
            return NONE;
        }
        return new Latency(nanos.getTotalCount(), nanos.getMean() / 1e6, ms(nanos, 50), ms(nanos, 90), ms(nanos, 99),
                ms(nanos, 99.9), nanos.getMaxValue() / 1e6);
    }

    private static double ms(Histogram nanos, double percentile) {
        return nanos.getValueAtPercentile(percentile) / 1e6;
    }
}
