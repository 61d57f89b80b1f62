package dev.lanes.server.config;

import dev.lanes.cache.CacheSettings;
import dev.lanes.cache.RedisAddress;
import dev.lanes.cache.RedisSettings;
import dev.lanes.cache.RedisTopology;
import dev.lanes.runtime.model.ProviderChoice;
import dev.lanes.runtime.model.RuntimeSettings;
import io.helidon.config.Config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The node's settings, validated; messages name the offending key.
 *
 * @param maxRequestSize    largest request body in bytes; larger bodies get 413
 * @param maxTensorElements largest element count of one input tensor; larger shapes get 413
 *                          before anything is allocated
 * @param strictReadiness   ready only when every model is ready (Triton's default); otherwise
 *                          ready once loading finished
 * @param cache             the prediction cache
 * @param drain             what happens on SIGTERM
 * @param management        model control mode and who may load and unload
 * @param grpc              the gRPC endpoint beside REST
 * @param http              the REST port's limits and timeouts
 * @param metricsPort       {@code /metrics} on a port of its own (Triton's 8002), so a network
 *                          policy can let only Prometheus reach it; {@link #METRICS_ON_REST_PORT}:
 *                          on the REST port; 0: any free port
 * @param log               log format and access log
 */
public record ServerConfig(String host,
                           int port,
                           long maxRequestSize,
                           long maxTensorElements,
                           boolean strictReadiness,
                           Path modelRepository,
                           RuntimeSettings runtime,
                           CacheSettings cache,
                           DrainSettings drain,
                           ManagementSettings management,
                           GrpcSettings grpc,
                           HttpSettings http,
                           int metricsPort,
                           LogSettings log) {
    /** {@code /metrics} is served on the REST port beside the API. */
    public static final int METRICS_ON_REST_PORT = -1;

    /** Metrics on the REST port. */
    public ServerConfig(String host, int port, long maxRequestSize, long maxTensorElements, boolean strictReadiness,
                        Path modelRepository, RuntimeSettings runtime, CacheSettings cache, DrainSettings drain,
                        ManagementSettings management, GrpcSettings grpc, HttpSettings http) {
        this(host, port, maxRequestSize, maxTensorElements, strictReadiness, modelRepository, runtime, cache, drain,
                management, grpc, http, METRICS_ON_REST_PORT, LogSettings.DEFAULT);
    }

    /** Triton's defaults for management: control mode none, nothing protected; gRPC on its default port. */
    public ServerConfig(String host, int port, long maxRequestSize, long maxTensorElements, boolean strictReadiness,
                        Path modelRepository, RuntimeSettings runtime, CacheSettings cache, DrainSettings drain) {
        this(host, port, maxRequestSize, maxTensorElements, strictReadiness, modelRepository, runtime, cache, drain,
                ManagementSettings.DEFAULT, GrpcSettings.DEFAULT, HttpSettings.DEFAULT);
    }

    /** The same settings with another gRPC endpoint. */
    public ServerConfig withGrpc(GrpcSettings newGrpc) {
        return new ServerConfig(host, port, maxRequestSize, maxTensorElements, strictReadiness, modelRepository,
                runtime, cache, drain, management, newGrpc, http, metricsPort, log);
    }

    /** The same settings with other REST front-door limits. */
    public ServerConfig withHttp(HttpSettings newHttp) {
        return new ServerConfig(host, port, maxRequestSize, maxTensorElements, strictReadiness, modelRepository,
                runtime, cache, drain, management, grpc, newHttp, metricsPort, log);
    }

    /** The same settings with {@code /metrics} on another port. */
    public ServerConfig withMetricsPort(int newMetricsPort) {
        return new ServerConfig(host, port, maxRequestSize, maxTensorElements, strictReadiness, modelRepository,
                runtime, cache, drain, management, grpc, http, newMetricsPort, log);
    }

    public boolean metricsOnOwnPort() {
        return metricsPort != METRICS_ON_REST_PORT;
    }

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(ConfigKeys.PORT + " must be 0..65535, got " + port);
        }
        if (metricsPort < METRICS_ON_REST_PORT || metricsPort > 65535) {
            throw new IllegalArgumentException(ConfigKeys.METRICS_PORT + " must be -1 (the REST port) or 0..65535, got "
                    + metricsPort);
        }
        if (metricsPort > 0 && metricsPort == port) {
            throw new IllegalArgumentException(ConfigKeys.METRICS_PORT + " must differ from " + ConfigKeys.PORT
                    + " (-1 serves /metrics on the REST port), got " + metricsPort + " for both");
        }
        // Bodies and tensors are held in Java arrays and direct buffers, which cannot pass 2^31 - 1 bytes.
        Bounds.within(ConfigKeys.MAX_REQUEST_SIZE, maxRequestSize, 1024, Integer.MAX_VALUE);
        Bounds.within(ConfigKeys.MAX_TENSOR_ELEMENTS, maxTensorElements, 1, Integer.MAX_VALUE);
    }

    public static ServerConfig create(Config config) {
        RuntimeSettings defaults = RuntimeSettings.defaults();
        RuntimeSettings runtime = new RuntimeSettings(
                ProviderChoice.parse(config.get(ConfigKeys.EXECUTION_PROVIDER).asString().orElse("cpu")),
                config.get(ConfigKeys.DEFAULT_MAX_BATCH_SIZE).asInt().orElse(defaults.defaultMaxBatchSize()),
                config.get(ConfigKeys.DEFAULT_MAX_QUEUE_DELAY).as(Duration.class).orElse(defaults.defaultMaxQueueDelay()),
                config.get(ConfigKeys.DEFAULT_MAX_QUEUE_SIZE).asInt().orElse(defaults.defaultMaxQueueSize()),
                config.get(ConfigKeys.WARM_UP).asBoolean().orElse(defaults.warmUp()),
                config.get(ConfigKeys.BUFFER_POOL_SIZE).asLong().orElse(defaults.bufferPoolBytes()),
                config.get(ConfigKeys.CPUS).asInt().orElse(defaults.cpus()));
        return new ServerConfig(
                config.get(ConfigKeys.HOST).asString().orElse("0.0.0.0"),
                config.get(ConfigKeys.PORT).asInt().orElse(8000),
                config.get(ConfigKeys.MAX_REQUEST_SIZE).asLong().orElse(64L << 20),
                config.get(ConfigKeys.MAX_TENSOR_ELEMENTS).asLong().orElse(16L << 20),
                config.get(ConfigKeys.STRICT_READINESS).asBoolean().orElse(true),
                Path.of(config.get(ConfigKeys.MODEL_REPOSITORY).asString().orElse(defaultRepository())),
                runtime,
                cache(config),
                new DrainSettings(
                        config.get(ConfigKeys.DRAIN_GRACE).as(Duration.class).orElse(DrainSettings.DEFAULT.grace()),
                        config.get(ConfigKeys.DRAIN_TIMEOUT).as(Duration.class).orElse(DrainSettings.DEFAULT.timeout()),
                        config.get(ConfigKeys.DRAIN_QUIET).as(Duration.class).orElse(DrainSettings.DEFAULT.quiet())),
                management(config),
                GrpcSettings.create(config),
                HttpSettings.create(config),
                config.get(ConfigKeys.METRICS_PORT).asInt().orElse(METRICS_ON_REST_PORT),
                new LogSettings(config.get(ConfigKeys.LOG_FORMAT).asString().map(LogSettings.Format::parse)
                        .orElse(LogSettings.DEFAULT.format()),
                        config.get(ConfigKeys.LOG_ACCESS).asBoolean().orElse(LogSettings.DEFAULT.access())));
    }

    private static ManagementSettings management(Config config) {
        ManagementSettings defaults = ManagementSettings.DEFAULT;
        List<String> loadModels = config.get(ConfigKeys.LOAD_MODELS).asString()
                .map(list -> Arrays.stream(list.split(",")).map(String::trim).filter(name -> !name.isEmpty()).toList())
                .orElse(List.of());
        return new ManagementSettings(
                config.get(ConfigKeys.MODEL_CONTROL_MODE).asString().map(ManagementSettings.ControlMode::parse)
                        .orElse(defaults.mode()),
                loadModels,
                config.get(ConfigKeys.REPOSITORY_POLL_INTERVAL).as(Duration.class).orElse(defaults.pollInterval()),
                config.get(ConfigKeys.MANAGEMENT_TOKEN).asString().asOptional(),
                config.get(ConfigKeys.PROTECT_INFERENCE).asBoolean().orElse(defaults.protectInference()),
                config.get(ConfigKeys.EXIT_ON_ERROR).asBoolean().orElse(defaults.exitOnError()));
    }

    private static CacheSettings cache(Config config) {
        CacheSettings defaults = CacheSettings.defaults();
        RedisSettings redis = redis(config);
        // A Redis URL alone means: share predictions, with the local cache in front.
        CacheSettings.Backend backend = config.get(ConfigKeys.CACHE_BACKEND).asString().map(CacheSettings.Backend::parse)
                .orElse(redis == null ? defaults.backend() : CacheSettings.Backend.TIERED);
        return new CacheSettings(backend,
                config.get(ConfigKeys.CACHE_LOCAL_MAX_SIZE).asLong().orElse(defaults.localMaxBytes()),
                config.get(ConfigKeys.CACHE_LOCAL_TTL).as(Duration.class).orElse(defaults.localTtl()),
                redis,
                config.get(ConfigKeys.CACHE_ALL_MODELS).asBoolean().orElse(defaults.allModels()));
    }

    /** The shared Redis: a URL (one Redis), Sentinels and a master name, or cluster seeds; null when none. */
    private static RedisSettings redis(Config config) {
        Optional<String> url = config.get(ConfigKeys.CACHE_REDIS_URL).asString().asOptional();
        Optional<String> sentinels = config.get(ConfigKeys.CACHE_REDIS_SENTINELS).asString().asOptional();
        Optional<String> cluster = config.get(ConfigKeys.CACHE_REDIS_CLUSTER).asString().asOptional();
        int named = (url.isPresent() ? 1 : 0) + (sentinels.isPresent() ? 1 : 0) + (cluster.isPresent() ? 1 : 0);
        if (named == 0) {
            for (String key : List.of(ConfigKeys.CACHE_REDIS_MASTER_NAME, ConfigKeys.CACHE_REDIS_USER,
                    ConfigKeys.CACHE_REDIS_TLS, ConfigKeys.CACHE_REDIS_TLS_CA_FILE)) {
                if (config.get(key).exists()) {
                    throw new IllegalArgumentException(key + " is set, but no Redis is: set "
                            + ConfigKeys.CACHE_REDIS_URL + ", " + ConfigKeys.CACHE_REDIS_SENTINELS + " or "
                            + ConfigKeys.CACHE_REDIS_CLUSTER);
                }
            }
            return null;
        }
        if (named > 1) {
            throw new IllegalArgumentException("set one of " + ConfigKeys.CACHE_REDIS_URL + ", "
                    + ConfigKeys.CACHE_REDIS_SENTINELS + " and " + ConfigKeys.CACHE_REDIS_CLUSTER + ", not several");
        }
        Optional<String> masterName = config.get(ConfigKeys.CACHE_REDIS_MASTER_NAME).asString().asOptional();
        if (sentinels.isPresent() != masterName.isPresent()) {
            throw new IllegalArgumentException(ConfigKeys.CACHE_REDIS_SENTINELS + " and "
                    + ConfigKeys.CACHE_REDIS_MASTER_NAME + " go together");
        }
        RedisSettings base;
        if (url.isPresent()) {
            base = RedisSettings.of(url.get());
        } else {
            RedisTopology topology = sentinels.isPresent()
                    ? new RedisTopology.Sentinel(RedisAddress.parseList(sentinels.get(), ConfigKeys.CACHE_REDIS_SENTINELS),
                            masterName.get(), 0)
                    : new RedisTopology.Cluster(RedisAddress.parseList(cluster.get(), ConfigKeys.CACHE_REDIS_CLUSTER));
            base = RedisSettings.of(topology);
        }
        if (url.isPresent() && base.tls() && !config.get(ConfigKeys.CACHE_REDIS_TLS).asBoolean().orElse(true)) {
            throw new IllegalArgumentException(ConfigKeys.CACHE_REDIS_TLS + "=false contradicts the rediss:// URL");
        }
        // A user or TLS given apart from the URL wins over the URL's (and is the only way for Sentinels and clusters).
        base = base.withAccess(config.get(ConfigKeys.CACHE_REDIS_USER).asString().orElse(base.user()),
                config.get(ConfigKeys.CACHE_REDIS_TLS).asBoolean().orElse(base.tls()),
                config.get(ConfigKeys.CACHE_REDIS_TLS_CA_FILE).asString().map(Path::of).orElse(null));
        RedisSettings settings = base.withLimits(
                config.get(ConfigKeys.CACHE_REDIS_TIMEOUT).as(Duration.class).orElse(base.timeout()),
                config.get(ConfigKeys.CACHE_REDIS_TTL).as(Duration.class).orElse(base.ttl()),
                config.get(ConfigKeys.CACHE_REDIS_KEY_PREFIX).asString().orElse(base.keyPrefix()),
                config.get(ConfigKeys.CACHE_REDIS_POOL_SIZE).asInt().orElse(base.poolSize()),
                config.get(ConfigKeys.CACHE_REDIS_BREAKER_FAILURES).asInt().orElse(base.breakerFailures()),
                config.get(ConfigKeys.CACHE_REDIS_BREAKER_OPEN_TIME).as(Duration.class).orElse(base.breakerOpenTime()));
        String password = RedisPassword.resolve(config.get(ConfigKeys.CACHE_REDIS_PASSWORD).asString().asOptional(),
                config.get(ConfigKeys.CACHE_REDIS_PASSWORD_FILE).asString().asOptional());
        return password == null ? settings : settings.withPassword(password);
    }

    /** The bundled demo repository, found from the install directory the launcher passes. */
    static String defaultRepository() {
        String home = System.getProperty("lanes.home");
        return home == null ? "server/demo-models" : Path.of(home, "server", "demo-models").toString();
    }
}
