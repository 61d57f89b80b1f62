package dev.lanes.benchmarks.load;

import java.util.Optional;

/** Compares the generator's counts with the server's /metrics counters over the same run. */
final class MetricsChecks {
    private MetricsChecks() {
    }

    /** Null when the source has no /metrics to compare with. */
    static LoadResult.MetricsCheck compare(CallerSource source, Optional<ServerMetrics> before, Counts client) {
        if (before.isEmpty()) {
            return null;
        }
        String model = source.model();
        // A server counts a request as its answer leaves, so the last few may lag the client briefly.
        Optional<ServerMetrics> after = source.metricsUrl().flatMap(ServerMetrics::scrape);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (after.isPresent() && after.get().successes(model) - before.get().successes(model) < client.ok()
                && System.nanoTime() < deadline) {
            ClosedLoop.sleep(java.time.Duration.ofMillis(50));
            after = source.metricsUrl().flatMap(ServerMetrics::scrape);
        }
        if (after.isEmpty()) {
            return null;
        }
        return new LoadResult.MetricsCheck(client.ok(), client.rejected() + client.errors(),
                after.get().successes(model) - before.get().successes(model),
                after.get().failures(model) - before.get().failures(model));
    }
}
