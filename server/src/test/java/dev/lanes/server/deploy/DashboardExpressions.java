package dev.lanes.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** The PromQL of every panel target of a Grafana dashboard. */
final class DashboardExpressions {
    private DashboardExpressions() {
    }

    static List<String> all(JsonNode dashboard) {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        return expressions;
    }

    /** An expression as Prometheus would receive it from Grafana for {@code namespace} and all models. */
    static String resolve(String expression, String namespace) {
        return expression.replace("$namespace", namespace).replace("$model", ".*").replace("$__rate_interval", "1m");
    }
}
