package dev.lanes.server.config;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every configuration key Lanes reads. Each can also come from the environment under the name
 * {@link #environmentName} gives (e.g. {@code lanes.server.max-request-size} from
 * {@code LANES_SERVER_MAX_REQUEST_SIZE}); docs/configuration.md documents them all.
 */
public final class ConfigKeys {
    public static final String HOST = "lanes.server.host";
    public static final String PORT = "lanes.server.port";
    public static final String METRICS_PORT = "lanes.server.metrics-port";
    public static final String MAX_REQUEST_SIZE = "lanes.server.max-request-size";
    public static final String MAX_TENSOR_ELEMENTS = "lanes.server.max-tensor-elements";
    public static final String STRICT_READINESS = "lanes.server.strict-readiness";
    public static final String DRAIN_GRACE = "lanes.server.drain-grace";
    public static final String DRAIN_TIMEOUT = "lanes.server.drain-timeout";
    public static final String DRAIN_QUIET = "lanes.server.drain-quiet";
    public static final String GRPC_PORT = "lanes.grpc.port";
    public static final String GRPC_KEEP_ALIVE_TIME = "lanes.grpc.keep-alive-time";
    public static final String GRPC_KEEP_ALIVE_TIMEOUT = "lanes.grpc.keep-alive-timeout";
    public static final String GRPC_PERMIT_KEEP_ALIVE_TIME = "lanes.grpc.permit-keep-alive-time";
    public static final String GRPC_PERMIT_KEEP_ALIVE_WITHOUT_CALLS = "lanes.grpc.permit-keep-alive-without-calls";
    public static final String GRPC_MAX_CONNECTION_IDLE = "lanes.grpc.max-connection-idle";
    public static final String GRPC_MAX_CONNECTION_AGE = "lanes.grpc.max-connection-age";
    public static final String GRPC_MAX_CONNECTION_AGE_GRACE = "lanes.grpc.max-connection-age-grace";
    public static final String GRPC_FLOW_CONTROL_WINDOW = "lanes.grpc.flow-control-window";
    public static final String GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION = "lanes.grpc.max-concurrent-calls-per-connection";
    public static final String GRPC_MAX_HEADER_LIST_SIZE = "lanes.grpc.max-header-list-size";
    public static final String GRPC_HANDSHAKE_TIMEOUT = "lanes.grpc.handshake-timeout";
    public static final String HTTP_MAX_REQUEST_LINE = "lanes.http.max-request-line";
    public static final String HTTP_MAX_HEADER_SIZE = "lanes.http.max-header-size";
    public static final String HTTP_MAX_HEADER_COUNT = "lanes.http.max-header-count";
    public static final String HTTP_HEADER_TIMEOUT = "lanes.http.header-timeout";
    public static final String HTTP_BODY_TIMEOUT = "lanes.http.body-timeout";
    public static final String HTTP_IDLE_TIMEOUT = "lanes.http.idle-timeout";
    public static final String HTTP_MAX_CONNECTIONS = "lanes.http.max-connections";
    public static final String CPUS = "lanes.cpus";
    public static final String LOG_FORMAT = "lanes.log.format";
    public static final String LOG_ACCESS = "lanes.log.access";
    public static final String EXIT_ON_ERROR = "lanes.exit-on-error";
    public static final String MODEL_REPOSITORY = "lanes.model-repository";
    public static final String MODEL_CONTROL_MODE = "lanes.model-control-mode";
    public static final String LOAD_MODELS = "lanes.load-models";
    public static final String REPOSITORY_POLL_INTERVAL = "lanes.repository-poll-interval";
    public static final String MANAGEMENT_TOKEN = "lanes.server.management-token";
    public static final String PROTECT_INFERENCE = "lanes.server.protect-inference";
    public static final String EXECUTION_PROVIDER = "lanes.runtime.execution-provider";
    public static final String DEFAULT_MAX_BATCH_SIZE = "lanes.runtime.default-max-batch-size";
    public static final String DEFAULT_MAX_QUEUE_DELAY = "lanes.runtime.default-max-queue-delay";
    public static final String DEFAULT_MAX_QUEUE_SIZE = "lanes.runtime.default-max-queue-size";
    public static final String WARM_UP = "lanes.runtime.warm-up";
    public static final String BUFFER_POOL_SIZE = "lanes.runtime.buffer-pool-size";
    public static final String CACHE_BACKEND = "lanes.cache.backend";
    public static final String CACHE_ALL_MODELS = "lanes.cache.all-models";
    public static final String CACHE_LOCAL_MAX_SIZE = "lanes.cache.local.max-size";
    public static final String CACHE_LOCAL_TTL = "lanes.cache.local.ttl";
    public static final String CACHE_REDIS_URL = "lanes.cache.redis.url";
    public static final String CACHE_REDIS_SENTINELS = "lanes.cache.redis.sentinels";
    public static final String CACHE_REDIS_MASTER_NAME = "lanes.cache.redis.master-name";
    public static final String CACHE_REDIS_CLUSTER = "lanes.cache.redis.cluster";
    public static final String CACHE_REDIS_USER = "lanes.cache.redis.user";
    public static final String CACHE_REDIS_TLS = "lanes.cache.redis.tls";
    public static final String CACHE_REDIS_TLS_CA_FILE = "lanes.cache.redis.tls-ca-file";
    public static final String CACHE_REDIS_PASSWORD = "lanes.cache.redis.password";
    public static final String CACHE_REDIS_PASSWORD_FILE = "lanes.cache.redis.password-file";
    public static final String CACHE_REDIS_TIMEOUT = "lanes.cache.redis.timeout";
    public static final String CACHE_REDIS_TTL = "lanes.cache.redis.ttl";
    public static final String CACHE_REDIS_KEY_PREFIX = "lanes.cache.redis.key-prefix";
    public static final String CACHE_REDIS_POOL_SIZE = "lanes.cache.redis.pool-size";
    public static final String CACHE_REDIS_BREAKER_FAILURES = "lanes.cache.redis.breaker-failures";
    public static final String CACHE_REDIS_BREAKER_OPEN_TIME = "lanes.cache.redis.breaker-open-time";

    public static final List<String> ALL = List.of(HOST, PORT, METRICS_PORT, MAX_REQUEST_SIZE, MAX_TENSOR_ELEMENTS,
            STRICT_READINESS, DRAIN_GRACE, DRAIN_TIMEOUT, DRAIN_QUIET, GRPC_PORT, GRPC_KEEP_ALIVE_TIME, GRPC_KEEP_ALIVE_TIMEOUT,
            GRPC_PERMIT_KEEP_ALIVE_TIME, GRPC_PERMIT_KEEP_ALIVE_WITHOUT_CALLS, GRPC_MAX_CONNECTION_IDLE,
            GRPC_MAX_CONNECTION_AGE, GRPC_MAX_CONNECTION_AGE_GRACE, GRPC_FLOW_CONTROL_WINDOW,
            GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION, GRPC_MAX_HEADER_LIST_SIZE, GRPC_HANDSHAKE_TIMEOUT,
            HTTP_MAX_REQUEST_LINE, HTTP_MAX_HEADER_SIZE, HTTP_MAX_HEADER_COUNT, HTTP_HEADER_TIMEOUT, HTTP_BODY_TIMEOUT,
            HTTP_IDLE_TIMEOUT, HTTP_MAX_CONNECTIONS, CPUS, LOG_FORMAT, LOG_ACCESS, EXIT_ON_ERROR, MODEL_REPOSITORY, MODEL_CONTROL_MODE, LOAD_MODELS,
            REPOSITORY_POLL_INTERVAL, MANAGEMENT_TOKEN, PROTECT_INFERENCE, EXECUTION_PROVIDER, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_QUEUE_DELAY,
            DEFAULT_MAX_QUEUE_SIZE, WARM_UP, BUFFER_POOL_SIZE, CACHE_BACKEND, CACHE_ALL_MODELS, CACHE_LOCAL_MAX_SIZE,
            CACHE_LOCAL_TTL, CACHE_REDIS_URL, CACHE_REDIS_SENTINELS, CACHE_REDIS_MASTER_NAME,
            CACHE_REDIS_CLUSTER, CACHE_REDIS_USER, CACHE_REDIS_TLS, CACHE_REDIS_TLS_CA_FILE, CACHE_REDIS_PASSWORD, CACHE_REDIS_PASSWORD_FILE, CACHE_REDIS_TIMEOUT, CACHE_REDIS_TTL, CACHE_REDIS_KEY_PREFIX,
            CACHE_REDIS_POOL_SIZE, CACHE_REDIS_BREAKER_FAILURES, CACHE_REDIS_BREAKER_OPEN_TIME);

    private ConfigKeys() {
    }

    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The known keys present in {@code environment}, under their configuration names. */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> values = new HashMap<>();
        for (String key : ALL) {
            String value = environment.get(environmentName(key));
            if (value != null) {
                values.put(key, value);
            }
        }
        return values;
    }
}
