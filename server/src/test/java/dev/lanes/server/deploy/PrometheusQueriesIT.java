package dev.lanes.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.PrometheusFixture;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus scrapes a Lanes node under traffic; every dashboard expression and the
 * prometheus-adapter rule's query return data through the Prometheus HTTP API.
 */
class PrometheusQueriesIT {
    private static final String NAMESPACE = "lanes";
    private static final String POD = "lanes-0";

    @TempDir
    Path repository;

    @Test
    void dashboardAndAdapterQueries_returnDataFromARealPrometheus() throws Exception {
        new TestRepository(repository).model("affine", 1, TestModels.affine())
                .config("affine", "response_cache { enable: true }\n")
                .corrupt("broken", 1);
        try (ServerFixture server = ServerFixture.start(repository, false);
             PrometheusFixture prometheus = new PrometheusFixture(server.server().port(), NAMESPACE, POD)) {
            AtomicBoolean running = new AtomicBoolean(true);
            List<Future<Void>> traffic = new ArrayList<>();
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < 4; c++) {
                    int client = c;
                    traffic.add(threads.submit(() -> {
                        int i = 0;
                        while (running.get()) {
                            i++;
                            // fresh inputs (misses), repeats (cache hits), bad requests and a model that is not ready
                            float a = i % 3 == 0 ? 1 : client * 100_000 + i;
                            server.post("/v2/models/affine/infer", "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],"
                                    + "\"datatype\":\"FP32\",\"data\":[" + a + ",2,3,4]}]}");
                            if (i % 10 == 0) {
                                server.post("/v2/models/affine/infer", "{\"inputs\":[]}");
                                server.post("/v2/models/broken/infer", "{}");
                            }
                        }
                        return null;
                    }));
                }
                prometheus.awaitScrapes(8);
                running.set(false);
                for (Future<Void> t : traffic) {
                    t.get(30, TimeUnit.SECONDS);
                }
            }

            JsonNode dashboard = Manifests.json().readTree(Manifests.ROOT.resolve("monitoring/lanes-dashboard.json").toFile());
            List<String> expressions = DashboardExpressions.all(dashboard);
            assertTrue(expressions.size() >= 12, expressions.toString());
            for (String expression : expressions) {
                String promql = DashboardExpressions.resolve(expression, NAMESPACE);
                assertFalse(prometheus.query(promql).isEmpty(), "no data for dashboard query " + promql);
            }
            String adapterQuery = adapterQuery();
            assertFalse(prometheus.query(adapterQuery).isEmpty(), "no data for the adapter rule: " + adapterQuery);
        }
    }

    /** The rule's metricsQuery as prometheus-adapter renders it for the pods of one namespace. */
    private static String adapterQuery() throws Exception {
        String rules = Manifests.YAML.readTree(Files.readString(Manifests.ROOT.resolve(
                "monitoring/prometheus-adapter-rules.yaml"))).path("data").path("config.yaml").asText();
        JsonNode rule = Manifests.YAML.readTree(rules).path("rules").get(0);
        Matcher series = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(rule.path("seriesQuery").asText());
        assertTrue(series.find());
        return rule.path("metricsQuery").asText()
                .replace("<<.Series>>", series.group(1))
                .replace("<<.LabelMatchers>>", "namespace=\"" + NAMESPACE + "\",pod=~\"" + POD + "\"")
                .replace("<<.GroupBy>>", "pod");
    }
}
