package dev.lanes.server.rest;

import dev.lanes.signals.LanesRegistry;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} in the Prometheus text format, on the REST port or on a metrics port of its
 * own ({@code lanes.server.metrics-port}), where nothing else is served.
 */
public final class MetricsRoute implements HttpService {
    private final LanesRegistry registry;

    public MetricsRoute(LanesRegistry registry) {
        this.registry = registry;
    }

    /** Everything the metrics port answers: the scrape, and 404 for any other path. */
    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", this::scrape)
                .any((req, res) -> JsonResponses.sendError(res, Status.NOT_FOUND_404,
                        "the metrics port serves only GET /metrics"));
    }

    void scrape(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, LanesRegistry.CONTENT_TYPE);
        res.send(registry.scrape().getBytes(StandardCharsets.UTF_8));
    }
}
