package dev.lanes.server.rest;

import dev.lanes.runtime.repository.IndexEntry;
import dev.lanes.runtime.repository.Model;
import dev.lanes.runtime.repository.ModelState;
import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.server.ErrorMapping;
import dev.lanes.server.InferenceService;
import dev.lanes.server.NodeState;
import dev.lanes.server.ManagementAccess;
import dev.lanes.server.RepositoryControl;
import dev.lanes.server.Statistics;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * The KServe V2 / Open Inference Protocol REST endpoints, Triton's repository index and
 * {@code /metrics}. Handlers run on virtual threads; inference is {@link InferRoute}'s.
 */
public final class V2Routes implements HttpService {
    /** Unread request bodies up to this size are drained to keep the connection (see {@link InferRoute}). */
    public static final long DRAIN_LIMIT = InferRoute.DRAIN_LIMIT;

    private final ModelRepository repository;
    private final NodeState state;
    /** The scrape, or null when a port of its own serves {@code /metrics}. */
    private final MetricsRoute metrics;
    private final InferenceService inference;
    private final InferRoute inferRoute;
    private final byte[] serverMetadata;
    private final Statistics statistics;
    private final RepositoryControl repositoryControl;
    private final ManagementAccess access;

    /** @param metrics the scrape, or null when {@code /metrics} has a port of its own */
    public V2Routes(ModelRepository repository, NodeState state, MetricsRoute metrics, InferenceService inference,
                    RepositoryControl repositoryControl, ManagementAccess access,
                    long maxRequestSize, long maxTensorElements, String serverName, String serverVersion,
                    List<String> extensions) {
        this.repository = repository;
        this.state = state;
        this.metrics = metrics;
        this.inference = inference;
        this.repositoryControl = repositoryControl;
        this.access = access;
        this.inferRoute = new InferRoute(inference, access,
                new InferRequestDecoder(repository.bufferPool(), maxTensorElements, maxRequestSize), maxRequestSize);
        this.serverMetadata = MetadataJson.server(serverName, serverVersion, extensions);
        this.statistics = new Statistics(repository);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v2", (req, res) -> JsonResponses.send(res, Status.OK_200, serverMetadata))
                .get("/v2/health/live", (req, res) -> res.status(Status.OK_200).send())
                .get("/v2/health/ready", this::serverReady)
                // Before /v2/models/{model}, which would take "stats" for a model name (as in Triton).
                .get("/v2/models/stats", this::modelStatistics)
                .get("/v2/models/{model}/stats", this::modelStatistics)
                .get("/v2/models/{model}/versions/{version}/stats", this::modelStatistics)
                .get("/v2/models/{model}", this::modelMetadata)
                .get("/v2/models/{model}/versions/{version}", this::modelMetadata)
                .get("/v2/models/{model}/config", this::modelConfig)
                .get("/v2/models/{model}/versions/{version}/config", this::modelConfig)
                .get("/v2/models/{model}/ready", this::modelReady)
                .get("/v2/models/{model}/versions/{version}/ready", this::modelReady)
                .post("/v2/models/{model}/infer", inferRoute::infer)
                .post("/v2/models/{model}/versions/{version}/infer", inferRoute::infer)
                .post("/v2/repository/index", this::index)
                .post("/v2/repository/models/{model}/load", this::loadModel)
                .post("/v2/repository/models/{model}/unload", this::unloadModel)
                .get("/v2/repository/index", this::index)
                .get("/metrics", this::metrics)
                .any(this::noRoute);
    }

    /** No route took the request: 404 for an unknown path, 405 with Allow for a known one, Allow for OPTIONS. */
    private void noRoute(ServerRequest req, ServerResponse res) {
        String method = req.prologue().method().text();
        String path = req.path().path();
        String allow = AllowedMethods.forPath(path);
        if (allow == null) {
            JsonResponses.sendError(res, Status.NOT_FOUND_404, "no such endpoint: " + method + " " + path);
            return;
        }
        res.header(HeaderNames.ALLOW, allow);
        if (method.equals("OPTIONS")) {
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        if (method.equals("HEAD")) {
            // An answer to HEAD has no body; a keep-alive client would read one as the next answer.
            res.header(HeaderValues.CONNECTION_CLOSE);
            res.status(Status.METHOD_NOT_ALLOWED_405).send();
            return;
        }
        JsonResponses.sendError(res, Status.METHOD_NOT_ALLOWED_405, path + " takes " + allow + ", not " + method);
    }

    private void serverReady(ServerRequest req, ServerResponse res) {
        if (state.ready()) {
            res.status(Status.OK_200).send();
        } else {
            res.header(HeaderNames.RETRY_AFTER, ErrorMapping.RETRY_AFTER_SECONDS);
            JsonResponses.sendError(res, Status.SERVICE_UNAVAILABLE_503, state.notReadyReason());
        }
    }

    private void modelMetadata(ServerRequest req, ServerResponse res) {
        handle(res, () -> {
            ModelVersion version = resolve(req);
            Model model = repository.model(version.model()).orElseThrow();
            JsonResponses.send(res, Status.OK_200, MetadataJson.model(model, version));
        });
    }

    /** Triton's model configuration extension: the effective config as JSON. */
    private void modelConfig(ServerRequest req, ServerResponse res) {
        handle(res, () -> {
            ModelVersion version = resolve(req);
            JsonResponses.send(res, Status.OK_200, JsonResponses.json(json -> ProtoJson.write(json,
                    version.effectiveConfig())));
        });
    }

    /** Triton's statistics extension: all models, one model's served versions, or one version. */
    private void modelStatistics(ServerRequest req, ServerResponse res) {
        handle(res, () -> {
            var parameters = req.path().pathParameters();
            String model = parameters.contains("model") ? parameters.get("model") : "";
            String version = parameters.contains("version") ? parameters.get("version") : "";
            JsonResponses.send(res, Status.OK_200, JsonResponses.json(json -> ProtoJson.writeWithDefaults(json,
                    statistics.of(model, version))));
        });
    }

    private void modelReady(ServerRequest req, ServerResponse res) {
        handle(res, () -> {
            resolve(req);
            res.status(Status.OK_200).send();
        });
    }

    /** Triton's index; a body {@code {"ready": true}} keeps only models that serve. */
    private void index(ServerRequest req, ServerResponse res) {
        handle(res, () -> {
            boolean readyOnly = false;
            if (req.content().hasEntity()) {
                try (InputStream body = new LimitedInputStream(req.content().inputStream(), 4096)) {
                    readyOnly = IndexRequest.readyOnly(body);
                }
            }
            List<IndexEntry> entries = repository.index();
            if (readyOnly) {
                entries = entries.stream().filter(entry -> entry.state() == ModelState.READY).toList();
            }
            JsonResponses.send(res, Status.OK_200, MetadataJson.index(entries));
        });
    }

    /** Triton's repository extension: load or reload, with an optional JSON config override. */
    private void loadModel(ServerRequest req, ServerResponse res) {
        handle(res, () -> {
            access.checkManagement(authorization(req));
            String model = req.path().pathParameters().get("model");
            repositoryControl.load(model, repositoryParameters(req));
            res.status(Status.OK_200).send();
        });
    }

    private void unloadModel(ServerRequest req, ServerResponse res) {
        handle(res, () -> {
            access.checkManagement(authorization(req));
            repositoryParameters(req); // read and checked, though unload takes no parameter Lanes uses
            repositoryControl.unload(req.path().pathParameters().get("model"));
            res.status(Status.OK_200).send();
        });
    }

    private static Map<String, String> repositoryParameters(ServerRequest req) throws IOException {
        if (!req.content().hasEntity()) {
            return Map.of();
        }
        // JSON escaping can double the override's bytes; the rest of the body is small.
        try (InputStream body = new LimitedInputStream(req.content().inputStream(),
                2L * RepositoryControl.MAX_CONFIG_OVERRIDE_BYTES + 4096)) {
            return RepositoryRequest.parameters(body);
        }
    }

    static String authorization(ServerRequest req) {
        return req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        if (metrics == null) {
            JsonResponses.sendError(res, Status.NOT_FOUND_404,
                    "/metrics is served on the metrics port (lanes.server.metrics-port), not here");
            return;
        }
        metrics.scrape(req, res);
    }

    private ModelVersion resolve(ServerRequest req) {
        return inference.resolve(req.path().pathParameters().get("model"), versionParameter(req));
    }

    static String versionParameter(ServerRequest req) {
        return req.path().pathParameters().contains("version") ? req.path().pathParameters().get("version") : null;
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    private static void handle(ServerResponse res, Action action) {
        try {
            action.run();
        } catch (Exception e) {
            RestErrors.answer(res, e, "a request");
        }
    }
}
