package dev.lanes.server.rest;

import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.Cancellation;
import dev.lanes.runtime.batch.InferenceResult;
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
import dev.lanes.signals.LanesRegistry;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * The KServe V2 / Open Inference Protocol REST endpoints, Triton's repository index and
 * {@code /metrics}. Handlers run on virtual threads and block on the batcher's answer.
 */
public final class V2Routes implements HttpService {
    static final HeaderName INFERENCE_HEADER_LENGTH = HeaderNames.create("Inference-Header-Content-Length");
    /**
     * Unread request bodies up to this size are drained to keep the connection; larger ones close
     * it. Measured at three times cls capacity (110 KB bodies): draining refused requests kept
     * 1280 answers/s against 890/s when every refusal closed, the reconnects costing more than the
     * reads; a body of megabytes costs more to drain than a reconnect.
     */
    public static final long DRAIN_LIMIT = 1 << 20;
    private static final String PROTOCOL = "rest";

    private final ModelRepository repository;
    private final NodeState state;
    private final LanesRegistry registry;
    private final InferenceService inference;
    private final InferRequestDecoder decoder;
    private final long maxRequestSize;
    private final byte[] serverMetadata;
    private final Statistics statistics;
    private final RepositoryControl repositoryControl;
    private final ManagementAccess access;

    public V2Routes(ModelRepository repository, NodeState state, LanesRegistry registry, InferenceService inference,
                    RepositoryControl repositoryControl, ManagementAccess access,
                    long maxRequestSize, long maxTensorElements, String serverName, String serverVersion,
                    List<String> extensions) {
        this.repository = repository;
        this.state = state;
        this.registry = registry;
        this.inference = inference;
        this.repositoryControl = repositoryControl;
        this.access = access;
        this.maxRequestSize = maxRequestSize;
        this.decoder = new InferRequestDecoder(repository.bufferPool(), maxTensorElements);
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
                .post("/v2/models/{model}/infer", this::infer)
                .post("/v2/models/{model}/versions/{version}/infer", this::infer)
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

    private static String authorization(ServerRequest req) {
        return req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, LanesRegistry.CONTENT_TYPE);
        res.send(registry.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void infer(ServerRequest req, ServerResponse res) {
        String model = req.path().pathParameters().get("model");
        try {
            access.checkInference(authorization(req));
            inference.infer(PROTOCOL, model, versionParameter(req), new InferenceService.Exchange<InferRequest>() {
                @Override
                public InferRequest decode(ModelVersion version) throws Exception {
                    return decodeBody(req, version);
                }

                @Override
                public InferenceService.InferCall call(InferRequest request) {
                    return new InferenceService.InferCall(request.inputs(), request.outputNames(),
                            request.timeoutMicros(), Long.MAX_VALUE, request.cacheBypass(), Cancellation.NONE);
                }

                @Override
                public void answer(ModelVersion version, InferRequest request, InferenceResult result) throws Exception {
                    send(res, InferResponseEncoder.encode(version.model(), version.version(), request,
                            result.outputs()));
                }
            });
        } catch (Exception e) {
            if (e instanceof InferenceException && !req.content().consumed()
                    && req.headers().contentLength().orElse(-1) > DRAIN_LIMIT) {
                // Refused before reading a body of megabytes: closing costs less than draining it.
                res.header(HeaderValues.CONNECTION_CLOSE);
            }
            RestErrors.answer(res, e, "inference on " + model);
        }
    }

    private InferRequest decodeBody(ServerRequest req, ModelVersion version) throws IOException {
        long bodyLength = req.headers().contentLength().orElse(-1);
        if (bodyLength > maxRequestSize) {
            throw InferenceException.tooLarge("request body of %d bytes is larger than %d bytes, the limit",
                    bodyLength, maxRequestSize);
        }
        long headerLength = headerLength(req, bodyLength);
        try (InputStream body = new LimitedInputStream(req.content().inputStream(), maxRequestSize)) {
            return decoder.decode(body, headerLength, bodyLength, version.signature());
        }
    }

    private static void send(ServerResponse res, InferResponseEncoder.Encoded encoded) throws Exception {
        res.status(Status.OK_200);
        if (encoded.hasBinary()) {
            res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
            res.header(INFERENCE_HEADER_LENGTH, Integer.toString(encoded.header().length));
        } else {
            res.header(HeaderValues.CONTENT_TYPE_JSON);
        }
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(encoded.contentLength()));
        try (OutputStream out = res.outputStream()) {
            encoded.writeTo(out);
        }
    }

    private long headerLength(ServerRequest req, long bodyLength) {
        if (!req.headers().contains(INFERENCE_HEADER_LENGTH)) {
            return -1;
        }
        String text = req.headers().get(INFERENCE_HEADER_LENGTH).get();
        long length;
        try {
            length = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw InferenceException.invalidInput("Inference-Header-Content-Length must be an integer, got '%s'", text);
        }
        if (length < 0 || (bodyLength >= 0 && length > bodyLength) || length > maxRequestSize) {
            throw InferenceException.invalidInput("Inference-Header-Content-Length %d does not fit the body", length);
        }
        return length;
    }

    private ModelVersion resolve(ServerRequest req) {
        return inference.resolve(req.path().pathParameters().get("model"), versionParameter(req));
    }

    private static String versionParameter(ServerRequest req) {
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
