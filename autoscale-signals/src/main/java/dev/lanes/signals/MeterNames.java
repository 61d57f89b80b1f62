package dev.lanes.signals;

import java.time.Duration;

/**
 * Every meter Lanes publishes, in Micrometer's dot notation. The Prometheus registry turns each
 * into the name in its comment (docs/metrics.md lists them all); the HPA and the dashboards use
 * those names, so changing one here is a breaking change.
 */
public final class MeterNames {
    /** Gauge {@code inference_queue_length{model}}: admitted, not yet executing. The HPA signal. */
    public static final String QUEUE_LENGTH = "inference.queue.length";
    /** Gauge {@code inference_executing_requests{model}}: inside running batches. */
    public static final String EXECUTING = "inference.executing.requests";
    /** Counter {@code inference_requests_total{model,protocol,outcome}}. */
    public static final String REQUESTS = "inference.requests";
    /** Histogram {@code inference_request_duration_seconds{model,protocol}}: receipt to response. */
    public static final String REQUEST_DURATION = "inference.request.duration";
    /** Histogram {@code inference_queue_duration_seconds{model}}: admission to batch start. */
    public static final String QUEUE_DURATION = "inference.queue.duration";
    /** Histogram {@code inference_compute_duration_seconds{model}}: one batch's assembly, run and slicing. */
    public static final String COMPUTE_DURATION = "inference.compute.duration";
    /**
     * Counter {@code inference_compute_cpu_seconds_total{model}}: CPU time of the instance threads
     * over executed batches; against {@code inference_compute_duration_seconds_sum} it shows how
     * much of the compute time the thread really ran (the rest it was preempted or waiting).
     */
    public static final String COMPUTE_CPU = "inference.compute.cpu";
    /** Histogram {@code inference_batch_size{model}}: rows per executed batch. */
    public static final String BATCH_SIZE = "inference.batch.size";
    /** Counter {@code inference_batches_total{model}}: executed batches. */
    public static final String BATCHES = "inference.batches";
    /** Counter {@code inference_queue_timeouts_total{model}}: deadlines passed while queued. */
    public static final String QUEUE_TIMEOUTS = "inference.queue.timeouts";
    /** Gauge {@code inference_inflight_requests}: inference requests being handled by this node. */
    public static final String IN_FLIGHT = "inference.inflight.requests";
    /**
     * Gauge {@code inference_model_state{model,version,state}}: 1 for the state a loaded model's
     * version is in (LOADING, READY or UNAVAILABLE, as the repository index names them), 0 for the
     * others; a model that failed as a whole has one row with an empty version.
     */
    public static final String MODEL_STATE = "inference.model.state";

    /** Counter {@code inference_cache_requests_total{model,result}}: result hit, miss or error. */
    public static final String CACHE_REQUESTS = "inference.cache.requests";
    /** Histogram {@code inference_cache_lookup_duration_seconds}: one lookup in the configured backend. */
    public static final String CACHE_LOOKUP_DURATION = "inference.cache.lookup.duration";
    /** Histogram {@code inference_cache_store_duration_seconds}: encoding and storing one prediction. */
    public static final String CACHE_STORE_DURATION = "inference.cache.store.duration";
    /** Gauge {@code inference_cache_local_entries}: entries in the in-process cache. */
    public static final String CACHE_LOCAL_ENTRIES = "inference.cache.local.entries";
    /** Gauge {@code inference_cache_local_bytes}: bytes held by the in-process cache. */
    public static final String CACHE_LOCAL_BYTES = "inference.cache.local.bytes";
    /**
     * Counter {@code inference_cache_redis_errors_total{endpoint}}: failed Redis commands by the
     * endpoint they went to ({@code host:port}; {@code unknown} before one is known; {@code other}
     * past {@link MicrometerRedisStats#MAX_ENDPOINTS} endpoints).
     */
    public static final String CACHE_REDIS_ERRORS = "inference.cache.redis.errors";
    /** Counter {@code inference_cache_redis_failovers_total}: Sentinel failovers followed to a new master. */
    public static final String CACHE_REDIS_FAILOVERS = "inference.cache.redis.failovers";

    /**
     * Counter {@code lanes_protocol_errors_total{protocol,reason}}: requests refused for how they
     * were sent, before any model saw them (REST: the status answered; gRPC: the transport's error).
     */
    public static final String PROTOCOL_ERRORS = "lanes.protocol.errors";
    /** Gauge {@code lanes_rest_connections}: REST connections open on this node. */
    public static final String REST_CONNECTIONS = "lanes.rest.connections";
    /** Gauge {@code process_resident_memory_bytes}: the process's resident set (Linux), heap and native alike. */
    public static final String RESIDENT_MEMORY = "process.resident.memory";
    /** Gauge {@code lanes_buffer_pool_leased_bytes}: direct memory of tensor buffers in use by requests. */
    public static final String BUFFER_POOL_LEASED = "lanes.buffer.pool.leased";
    /** Gauge {@code lanes_buffer_pool_retained_bytes}: direct memory the tensor buffer pool keeps for reuse. */
    public static final String BUFFER_POOL_RETAINED = "lanes.buffer.pool.retained";

    public static final String TAG_ENDPOINT = "endpoint";
    public static final String TAG_MODEL = "model";
    public static final String TAG_REASON = "reason";
    public static final String TAG_RESULT = "result";
    public static final String TAG_PROTOCOL = "protocol";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_VERSION = "version";
    public static final String TAG_STATE = "state";

    /** Latency bucket bounds: sub-millisecond to multi-second. */
    public static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10)};

    /** Batch-size bucket bounds. */
    public static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private MeterNames() {
    }
}
