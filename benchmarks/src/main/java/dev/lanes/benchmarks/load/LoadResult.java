package dev.lanes.benchmarks.load;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One measured load level.
 *
 * @param label          what was measured, for tables and logs
 * @param mode           {@code closed} (fixed concurrency) or {@code open} (fixed arrival rate)
 * @param protocol       wire form, or {@code raw-ort} for the in-process baseline
 * @param concurrency    callers in closed loop; 0 in open loop
 * @param offeredRate    requests per second sent in open loop; 0 in closed loop
 * @param seconds        length of the measured period (warm-up excluded)
 * @param throughput     successful requests per second in the measured period
 * @param counts         outcomes in the measured period
 * @param latency        of successful requests in the measured period; in open loop from the
 *                       scheduled send time, so queueing behind a slow server is included
 * @param stable         closed loop: the last three windows agreed within the tolerance
 * @param windows        closed loop: requests per second of each window, warm-up excluded
 * @param errorReasons   error texts with counts, whole run
 * @param clientCpuCores CPU the generator process used during the measured period, in cores
 * @param serverCpuCores CPU the server process used during the measured period, in cores (NaN when unknown)
 * @param check          counts cross-checked against the server's /metrics; null when it has none
 */
public record LoadResult(String label, String mode, String protocol, int concurrency, double offeredRate,
                         double seconds, double throughput, Counts counts, Latency latency, boolean stable,
                         List<Double> windows, Map<String, Long> errorReasons, double clientCpuCores,
                         double serverCpuCores, MetricsCheck check) implements Serializable {

    /**
     * The generator's counts for the whole run (warm-up included) against the server's counter
     * deltas over the same run.
     */
    public record MetricsCheck(long clientOk, long clientNotOk, double serverSuccess, double serverOther)
            implements Serializable {
        public boolean agrees() {
            return clientOk == (long) serverSuccess && clientNotOk >= (long) serverOther;
        }
    }

    public double rejectedPerSecond() {
        return counts.rejected() / seconds;
    }

    public LoadResult withLabel(String newLabel) {
        return new LoadResult(newLabel, mode, protocol, concurrency, offeredRate, seconds, throughput, counts, latency,
                stable, windows, errorReasons, clientCpuCores, serverCpuCores, check);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("label", label);
        map.put("mode", mode);
        map.put("protocol", protocol);
        map.put("concurrency", concurrency);
        map.put("offered_rate", offeredRate);
        map.put("seconds", seconds);
        map.put("throughput", throughput);
        map.put("ok", counts.ok());
        map.put("rejected", counts.rejected());
        map.put("errors", counts.errors());
        Map<String, Object> percentiles = new LinkedHashMap<>();
        percentiles.put("count", latency.count());
        percentiles.put("mean", latency.mean());
        percentiles.put("p50", latency.p50());
        percentiles.put("p90", latency.p90());
        percentiles.put("p99", latency.p99());
        percentiles.put("p99.9", latency.p999());
        percentiles.put("max", latency.max());
        map.put("latency_ms", percentiles);
        map.put("stable", stable);
        map.put("windows", windows);
        map.put("error_reasons", errorReasons);
        map.put("client_cpu_cores", clientCpuCores);
        map.put("server_cpu_cores", serverCpuCores);
        if (check != null) {
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("client_ok", check.clientOk());
            metrics.put("client_not_ok", check.clientNotOk());
            metrics.put("server_success", check.serverSuccess());
            metrics.put("server_other", check.serverOther());
            metrics.put("agrees", check.agrees());
            map.put("metrics_check", metrics);
        }
        return map;
    }
}
