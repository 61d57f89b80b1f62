package dev.lanes.server;

import dev.lanes.cache.LocalPredictionCache;
import dev.lanes.cache.PredictionCache;
import dev.lanes.cache.TieredPredictionCache;
import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.repository.Model;
import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.runtime.repository.ModelState;
import dev.lanes.runtime.repository.RepositoryPoller;
import dev.lanes.server.config.ConfigKeys;
import dev.lanes.server.config.ManagementSettings;
import dev.lanes.server.config.ServerConfig;
import dev.lanes.server.grpc.GrpcEndpoint;
import dev.lanes.server.grpc.GrpcInferenceService;
import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.http.FrontDoor;
import dev.lanes.server.http.HttpCloseFilter;
import dev.lanes.server.http.JsonDirectHandler;
import dev.lanes.server.http.RequestLogFilter;
import dev.lanes.server.log.AccessLog;
import dev.lanes.server.rest.MetricsRoute;
import dev.lanes.server.rest.V2Routes;
import dev.lanes.signals.LanesRegistry;
import dev.lanes.signals.MicrometerCacheStats;
import dev.lanes.signals.MicrometerRedisStats;
import dev.lanes.signals.MicrometerStatsFactory;
import dev.lanes.signals.ModelStateMeters;
import dev.lanes.signals.NativeMemoryMeters;
import dev.lanes.signals.ProtocolErrorMeters;
import dev.lanes.signals.RequestMeters;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One Lanes node: the model repository, the prediction cache, the meters, Helidon serving REST and
 * {@code /metrics} (HTTP/1.1, port 8000) and grpc-java's server for gRPC (port 8001), both in
 * front of the same inference service, batchers and cache.
 * Models load before the ports open, so a started node answers at once (strict readiness
 * applies on top).
 */
public final class LanesServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LanesServer.class.getName());
    public static final String NAME = "lanes";
    public static final String VERSION = "0.1.0";
    /** Protocol extensions announced in server metadata, over REST and gRPC alike. */
    public static final List<String> EXTENSIONS = List.of("binary_tensor_data", "model_configuration", "statistics",
            "model_repository");

    private static final String METRICS_SOCKET = "metrics";
    /** Scrapes are GETs: no body, and a handful of Prometheus replicas at most. */
    private static final long METRICS_MAX_BODY = 1024;
    private static final int METRICS_MAX_CONNECTIONS = 32;
    private static final List<String> PROTOCOLS = List.of("rest", "grpc");
    /** Every outcome a request can be metered with: success or an error kind. */
    private static final List<String> OUTCOMES = Stream.concat(Stream.of(InferenceService.SUCCESS),
            Arrays.stream(ErrorKind.values()).map(ErrorMapping::outcome)).toList();

    private final ServerConfig config;
    private final LanesRegistry registry;
    private final ModelRepository repository;
    private final NodeState state;
    private final PredictionCache cache;
    private RequestMeters meters;
    private WebServer webServer;
    private GrpcEndpoint grpc;
    private FrontDoor frontDoor;
    private FrontDoor metricsDoor;
    /** Held so JUL keeps them with their filters. */
    private List<Logger> clientErrorLogs;
    private final AtomicBoolean closed = new AtomicBoolean();
    private RepositoryPoller poller;

    public LanesServer(ServerConfig config) {
        this.config = config;
        this.registry = new LanesRegistry();
        this.repository = new ModelRepository(config.modelRepository(), config.runtime(),
                new MicrometerStatsFactory(registry.registry()));
        this.state = new NodeState(repository, config.strictReadiness());
        this.cache = config.cache().create(new MicrometerRedisStats(registry.registry()));
    }

    /** Loads the models and opens both ports; on failure everything started is closed again. */
    public LanesServer start() throws IOException {
        try {
            return startAll();
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private LanesServer startAll() throws IOException {
        int cpus = config.runtime().cpus();
        int visible = Runtime.getRuntime().availableProcessors();
        LOG.info(() -> "sizing threads for " + cpus + " CPU(s) (" + ConfigKeys.CPUS + "; the JVM sees " + visible + ")");
        if (cpus > visible) {
            LOG.warning(() -> ConfigKeys.CPUS + "=" + cpus + " is more than the " + visible
                    + " processors the JVM sees: threads will contend");
        }
        ManagementSettings management = config.management();
        AccessLog accessLog = new AccessLog(config.log().access());
        long loadStarted = System.nanoTime();
        if (management.loadsAllAtStart()) {
            repository.loadAll();
        } else {
            repository.loadOnly(management.loadModels());
        }
        long modelMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStarted);
        if (management.exitOnError()) {
            refuseFailedModels();
        }
        RepositoryControl repositoryControl = new RepositoryControl(repository, management.mode());
        ManagementAccess access = new ManagementAccess(management);
        meters = new RequestMeters(registry.registry());
        MicrometerCacheStats cacheStats = new MicrometerCacheStats(registry.registry());
        if (cache instanceof LocalPredictionCache local) {
            cacheStats.bindLocal(local);
        } else if (cache instanceof TieredPredictionCache tiered) {
            cacheStats.bindLocal(tiered.local());
        }
        cache.checkAtStart();
        CachingPredictor predictor = new CachingPredictor(cache, cacheStats, config.cache().allModels());
        NativeMemoryMeters.bindResidentMemory(registry.registry());
        NativeMemoryMeters.bindBufferPool(registry.registry(), repository.bufferPool()::leasedBytes,
                repository.bufferPool()::retainedBytes);
        ModelStateMeters modelStates = new ModelStateMeters(registry.registry());
        Runnable publishModels = () -> publishModels(modelStates, cacheStats, predictor);
        repository.onChange(publishModels);
        publishModels.run();
        if (management.mode() == ManagementSettings.ControlMode.POLL) {
            // after the listeners: no change it applies goes unpublished
            poller = new RepositoryPoller(repository, management.pollInterval());
            poller.start();
        }
        InferenceService inference = new InferenceService(repository, state, meters, predictor);
        GrpcInferenceService grpcService = new GrpcInferenceService(repository, state, inference,
                repositoryControl, access, repository.bufferPool(), config.maxTensorElements(), NAME, VERSION, EXTENSIONS);
        if (config.grpc().enabled()) {
            grpc = GrpcEndpoint.start(config.host(), config.grpc(), config.maxRequestSize(), config.runtime().cpus(),
                    accessLog, grpcService);
            state.onChange(() -> grpc.serving(state.ready(), GRPCInferenceServiceGrpc.SERVICE_NAME));
        }
        ProtocolErrorMeters protocolErrors = new ProtocolErrorMeters(registry.registry());
        clientErrorLogs = List.of(
                // every malformed gRPC stream is a WARNING with a stack trace there
                ClientErrorLog.install("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler", "the gRPC port",
                        () -> protocolErrors.refused("grpc", "transport")),
                ClientErrorLog.install("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections",
                        "a gRPC connection", () -> protocolErrors.refused("grpc", "connection")),
                ClientErrorLog.install("io.helidon.webserver.ConnectionHandler", "the REST port",
                        () -> protocolErrors.refused("rest", "connection")));
        frontDoor = new FrontDoor(config.http(), config.maxRequestSize(),
                status -> protocolErrors.refused("rest", Integer.toString(status)));
        protocolErrors.bindRestConnections(frontDoor::openConnections);
        protocolErrors.expect("rest", FrontDoor.REFUSALS);
        protocolErrors.expect("grpc", List.of("transport", "connection"));
        MetricsRoute metrics = new MetricsRoute(registry);
        V2Routes routes = new V2Routes(repository, state, config.metricsOnOwnPort() ? null : metrics, inference,
                repositoryControl, access, config.maxRequestSize(), config.maxTensorElements(), NAME, VERSION, EXTENSIONS);
        WebServerConfig.Builder server = behindFrontDoor(WebServer.builder(), frontDoor, config.port(),
                config.http().maxConnections())
                .shutdownHook(false)
                .routing(routing -> routing
                        .addFilter(new RequestLogFilter(accessLog))
                        .addFilter(new HttpCloseFilter(state::draining, V2Routes.DRAIN_LIMIT))
                        .register(routes));
        if (config.metricsOnOwnPort()) {
            // The same front door (limits, timeouts, framing), with room for a few scrapers only.
            metricsDoor = new FrontDoor(config.http(), METRICS_MAX_BODY,
                    status -> protocolErrors.refused("rest", Integer.toString(status)));
            server.putSocket(METRICS_SOCKET, socket -> behindFrontDoor(socket, metricsDoor, config.metricsPort(),
                    METRICS_MAX_CONNECTIONS).routing(routing -> routing.register(metrics)));
        }
        webServer = server.build().start();
        if (!webServer.isRunning()) {
            throw new IOException("cannot listen for REST on " + config.host() + ":" + config.port()
                    + (config.metricsOnOwnPort() ? " or for metrics on " + config.host() + ":" + config.metricsPort() : "")
                    + " (is the port in use?)");
        }
        LOG.info(() -> "Lanes listening on " + config.host() + ":" + webServer.port()
                + (config.metricsOnOwnPort() ? " (REST), metrics on " + config.host() + ":" + metricsPort()
                        : " (REST, /metrics)")
                + (grpc == null ? ", gRPC off" : ", gRPC on " + config.host() + ":" + grpc.port())
                + ", models from " + repository.root() + ", prediction cache " + cache.name()
                + (state.ready() ? "" : " (not ready: " + state.notReadyReason() + ")")
                // what a cold start spends besides loading and warming models (bin/bench scenarios)
                + "; started " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms after the JVM, "
                + modelMillis + " ms of it loading models");
        return this;
    }

    /** A listener on {@code port} whose every request Lanes' front door frames. */
    private <B extends ListenerConfig.BuilderBase<B, ?>> B behindFrontDoor(B listener, FrontDoor door, int port,
                                                                          int maxConnections) {
        return listener.host(config.host())
                .port(port)
                // Lanes frames every request itself: its front door is the port's one selector.
                .protocolsDiscoverServices(false)
                .addConnectionSelector(door)
                .maxTcpConnections(maxConnections)
                // the front door times out idle connections itself; Helidon's own timer must not come first
                .idleConnectionTimeout(config.http().idleTimeout().plusMinutes(1))
                .directHandlers(JsonDirectHandler.forAllEvents())
                // Nagle's algorithm delays small responses by up to 40 ms; inference replies are small.
                .connectionOptions(options -> options.tcpNoDelay(true));
    }

    /**
     * The state of every model served, and each one's request and cache counters at 0, so a rate
     * or ratio over them has data before the first request (and before the first failure).
     */
    private void publishModels(ModelStateMeters modelStates, MicrometerCacheStats cacheStats,
                               CachingPredictor predictor) {
        Set<String> served = new HashSet<>();
        for (Model model : repository.models()) {
            served.add(model.name());
            meters.expect(model.name(), PROTOCOLS, OUTCOMES);
            if (model.latest().filter(predictor::cached).isPresent()) {
                cacheStats.expect(model.name());
            }
        }
        modelStates.update(repository.index().stream().filter(entry -> served.contains(entry.name())).toList());
    }

    /** {@code lanes.exit-on-error}: a model that did not load stops the start, naming why. */
    private void refuseFailedModels() throws IOException {
        Set<String> loaded = repository.models().stream().map(Model::name).collect(Collectors.toSet());
        List<String> failures = repository.index().stream()
                .filter(entry -> loaded.contains(entry.name()) && entry.state() != ModelState.READY)
                .map(entry -> "model " + entry.name() + (entry.version().isEmpty() ? "" : " version " + entry.version())
                        + ": " + entry.reason())
                .toList();
        if (!failures.isEmpty()) {
            throw new IOException("models failed to load and " + ConfigKeys.EXIT_ON_ERROR + " is set: "
                    + String.join("; ", failures));
        }
    }

    public int port() {
        return webServer.port();
    }

    /** The port {@code /metrics} is served on: its own, or the REST port. */
    public int metricsPort() {
        return config.metricsOnOwnPort() ? webServer.port(METRICS_SOCKET) : webServer.port();
    }

    /** The gRPC port, or -1 when gRPC is off. */
    public int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    public ModelRepository repository() {
        return repository;
    }

    public NodeState state() {
        return state;
    }

    /**
     * The SIGTERM sequence: readiness turns 503 and gRPC health NOT_SERVING at once; inference is
     * still served for the grace period, so load balancers stop routing here without failing
     * anyone; then gRPC sends GOAWAY (no new calls; open ones run on), new inference is refused
     * (503 / UNAVAILABLE) and admitted requests get up to the drain timeout to finish; within that
     * timeout the REST port then stays open until it has been quiet for a while (every answer of
     * the drain says {@code Connection: close}, so a client just answered comes back on a new
     * connection and is told 503); then the node closes.
     */
    public void drain() {
        long started = System.nanoTime();
        LOG.info(() -> "drain started: readiness reports 503, inference is served for " + config.drain().grace()
                + ", then admitted requests get up to " + config.drain().timeout());
        state.startDraining();
        pause(config.drain().grace().toNanos());
        state.startShutdown();
        if (grpc != null) {
            grpc.stopAccepting();
        }
        repository.shutdown();
        long end = System.nanoTime() + config.drain().timeout().toNanos();
        long quiet = config.drain().quiet().toNanos();
        for (long now = System.nanoTime(); now - end < 0; now = System.nanoTime()) {
            if (inFlight() == 0 && (frontDoor == null || frontDoor.stillForNanos(now) >= quiet)) {
                break;
            }
            pause(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (inFlight() > 0) {
            LOG.warning(() -> inFlight() + " requests still in flight after the drain timeout");
        } else if (frontDoor != null && frontDoor.stillForNanos(System.nanoTime()) < quiet) {
            LOG.warning("the REST port was still busy at the drain timeout; closing it under its clients");
        }
        close();
        LOG.info(() -> "drain finished after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
                + " ms; the node is closed");
    }

    private long inFlight() {
        return meters == null ? 0 : meters.inFlight();
    }

    /** Waiting out time itself is the point here (the grace period, polling in-flight requests). */
    private static void pause(long nanos) {
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** Stops admitting, lets queued work finish, stops the servers and frees the models; once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        state.startShutdown();
        if (grpc != null) {
            grpc.close();
        }
        if (poller != null) {
            poller.close();
        }
        repository.shutdown();
        repository.close();
        if (webServer != null) {
            webServer.stop();
        }
        if (frontDoor != null) {
            frontDoor.close();
        }
        if (metricsDoor != null) {
            metricsDoor.close();
        }
        cache.close();
        registry.close();
    }
}
