package dev.lanes.signals;

import dev.lanes.runtime.stats.ExecutedBatch;
import dev.lanes.runtime.stats.LoadView;
import dev.lanes.runtime.stats.ModelStats;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prometheus names the HPA, the adapter rule and the dashboards depend on. */
class PrometheusExpositionTest {
    /** The simpleclient writes a trailing comma inside label sets, which the format allows. */
    private static void assertLine(String scrape, String line) {
        assertTrue(scrape.lines().anyMatch(l -> l.replace(",}", "}").equals(line)),
                () -> "missing line: " + line + "\n" + scrape);
    }

    @Test
    void scrape_afterRecording_exposesDocumentedNamesAndValues() {
        try (LanesRegistry lanes = new LanesRegistry()) {
            LoadView load = new LoadView() {
                @Override
                public int queueLength() {
                    return 7;
                }

                @Override
                public int executingRequests() {
                    return 3;
                }
            };
            ModelStats stats = new MicrometerStatsFactory(lanes.registry()).forModel("affine", load);
            stats.queueWait(TimeUnit.MICROSECONDS.toNanos(300));
            stats.batchExecuted(new ExecutedBatch(3, 2, 0, TimeUnit.MILLISECONDS.toNanos(2), 0));
            stats.requestExpired();
            RequestMeters requests = new RequestMeters(lanes.registry());
            requests.started();
            requests.finished("affine", "rest", "success", TimeUnit.MILLISECONDS.toNanos(4));
            requests.started();

            String scrape = lanes.scrape();
            assertLine(scrape, "inference_queue_length{model=\"affine\"} 7.0");
            assertLine(scrape, "inference_executing_requests{model=\"affine\"} 3.0");
            assertLine(scrape, "inference_requests_total{model=\"affine\",outcome=\"success\",protocol=\"rest\"} 1.0");
            assertLine(scrape, "inference_batch_size_bucket{model=\"affine\",le=\"2.0\"} 0.0");
            assertLine(scrape, "inference_batch_size_bucket{model=\"affine\",le=\"4.0\"} 1.0");
            assertLine(scrape, "inference_batches_total{model=\"affine\"} 1.0");
            assertLine(scrape, "inference_queue_timeouts_total{model=\"affine\"} 1.0");
            assertLine(scrape, "inference_queue_duration_seconds_bucket{model=\"affine\",le=\"2.5E-4\"} 0.0");
            assertLine(scrape, "inference_queue_duration_seconds_bucket{model=\"affine\",le=\"5.0E-4\"} 1.0");
            assertLine(scrape, "inference_compute_duration_seconds_count{model=\"affine\"} 1.0");
            assertLine(scrape, "inference_request_duration_seconds_count{model=\"affine\",protocol=\"rest\"} 1.0");
            assertLine(scrape, "inference_inflight_requests 1.0");
            assertTrue(scrape.contains("jvm_memory_used_bytes"), "JVM meters are bound");
            assertTrue(scrape.contains("process_cpu_usage"), "process meters are bound");
        }
    }

    @Test
    void redisErrors_areCountedByEndpoint_boundedInTags_andFailoversStartAtZero() {
        try (LanesRegistry lanes = new LanesRegistry()) {
            MicrometerRedisStats redis = new MicrometerRedisStats(lanes.registry());
            assertLine(lanes.scrape(), "inference_cache_redis_failovers_total 0.0");
            redis.error("10.0.0.1:6379");
            redis.error("10.0.0.1:6379");
            redis.failover("10.0.0.2:6379");
            for (int i = 0; i < MicrometerRedisStats.MAX_ENDPOINTS + 10; i++) {
                redis.error("10.1.0." + i + ":6379");
            }
            String scrape = lanes.scrape();
            assertLine(scrape, "inference_cache_redis_errors_total{endpoint=\"10.0.0.1:6379\"} 2.0");
            assertLine(scrape, "inference_cache_redis_failovers_total 1.0");
            long endpoints = scrape.lines().filter(l -> l.startsWith("inference_cache_redis_errors_total{")).count();
            assertTrue(endpoints <= MicrometerRedisStats.MAX_ENDPOINTS + 1, endpoints + " endpoint series");
            assertLine(scrape, "inference_cache_redis_errors_total{endpoint=\"other\"} 11.0");
        }
    }
}
