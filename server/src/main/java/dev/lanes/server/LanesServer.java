package dev.lanes.server;

import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.server.config.ServerConfig;
import dev.lanes.server.rest.V2Routes;
import dev.lanes.signals.LanesRegistry;
import dev.lanes.signals.MicrometerStatsFactory;
import dev.lanes.signals.RequestMeters;
import io.helidon.webserver.WebServer;

import java.io.IOException;
import java.util.logging.Logger;

/**
 * One Lanes node: the model repository, the meters and the Helidon server that exposes them.
 * Models load before the port opens, so a started node answers at once (strict readiness
 * applies on top).
 */
public final class LanesServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LanesServer.class.getName());
    public static final String NAME = "lanes";
    public static final String VERSION = "0.1.0";

    private final ServerConfig config;
    private final LanesRegistry registry;
    private final ModelRepository repository;
    private final NodeState state;
    private WebServer webServer;

    public LanesServer(ServerConfig config) {
        this.config = config;
        this.registry = new LanesRegistry();
        this.repository = new ModelRepository(config.modelRepository(), config.runtime(),
                new MicrometerStatsFactory(registry.registry()));
        this.state = new NodeState(repository, config.strictReadiness());
    }

    public LanesServer start() throws IOException {
        repository.loadAll();
        V2Routes routes = new V2Routes(repository, state, registry, new RequestMeters(registry.registry()),
                config.maxRequestSize(), config.maxTensorElements(), NAME, VERSION);
        webServer = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                // Nagle's algorithm delays small responses by up to 40 ms; inference replies are small.
                .connectionOptions(options -> options.tcpNoDelay(true))
                .routing(routing -> routing.register(routes))
                .build()
                .start();
        LOG.info(() -> "Lanes listening on " + config.host() + ":" + webServer.port() + ", models from "
                + repository.root() + (state.ready() ? "" : " (not ready: " + state.notReadyReason() + ")"));
        return this;
    }

    public int port() {
        return webServer.port();
    }

    public ModelRepository repository() {
        return repository;
    }

    public NodeState state() {
        return state;
    }

    /** Stops admitting, lets queued work finish, stops the server and frees the models. */
    @Override
    public void close() {
        state.startShutdown();
        repository.shutdown();
        repository.close();
        if (webServer != null) {
            webServer.stop();
        }
        registry.close();
    }
}
