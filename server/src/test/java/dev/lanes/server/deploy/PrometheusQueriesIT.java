package dev.lanes.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.PrometheusFixture;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus scrapes a Lanes node under traffic; every dashboard expression, every
 * dashboard variable and the prometheus-adapter rule's query return data through the Prometheus
 * HTTP API, and every alert expression evaluates with each of its selectors matching series.
 * kube-state-metrics and cAdvisor need a cluster: a second target serves their series with the
 * label sets they publish, carrying this JVM's (the node's) real CPU time and resident memory.
 */
class PrometheusQueriesIT {
    private static final String NAMESPACE = "lanes";
    private static final String POD = "lanes-0";
    private static final Pattern SELECTOR = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*\\{[^}]*\\}");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+), *([a-z_]+)\\)");

    @TempDir
    Path repository;

    @Test
    void dashboardAndAdapterQueries_returnDataFromARealPrometheus() throws Exception {
        new TestRepository(repository).model("affine", 1, TestModels.affine())
                .config("affine", "response_cache { enable: true }\n")
                .corrupt("broken", 1);
        try (ServerFixture server = ServerFixture.start(repository, false);
             PrometheusFixture prometheus = new PrometheusFixture(server.server().port(), NAMESPACE, POD,
                     PrometheusQueriesIT::clusterSeries)) {
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
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                Matcher values = LABEL_VALUES.matcher(variable.path("definition").asText());
                if (values.matches()) {
                    JsonNode series = prometheus.query(DashboardExpressions.resolve(values.group(1), NAMESPACE));
                    assertFalse(series.isEmpty(), "no values for dashboard variable " + variable.path("name"));
                    assertFalse(series.get(0).path("metric").path(values.group(2)).isMissingNode(), values.group(2));
                }
            }
            String adapterQuery = adapterQuery();
            assertFalse(prometheus.query(adapterQuery).isEmpty(), "no data for the adapter rule: " + adapterQuery);

            JsonNode rule = Manifests.custom(Manifests.render(Manifests.ROOT.resolve("overlays/hpa")), "PrometheusRule",
                    "lanes");
            List<String> alerts = ManifestRulesIT.expressions(rule);
            assertEquals(ManifestRulesIT.alertNames(rule).size(), alerts.size());
            for (String expression : alerts) {
                prometheus.query(expression); // throws unless Prometheus evaluates it
                Matcher selectors = SELECTOR.matcher(expression);
                int found = 0;
                while (selectors.find()) {
                    found++;
                    assertFalse(prometheus.query(selectors.group()).isEmpty(),
                            "no series for " + selectors.group() + " in alert expression " + expression);
                }
                assertTrue(found > 0, expression);
            }
        }
    }

    /** What kube-state-metrics and cAdvisor publish about the node's pod, with their labels. */
    private static String clusterSeries() {
        String pod = "namespace=\"" + NAMESPACE + "\",pod=\"" + POD + "\",container=\"lanes\"";
        String hpa = "namespace=\"" + NAMESPACE + "\",horizontalpodautoscaler=\"lanes\"";
        double cpuSeconds = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
        long resident = residentBytes();
        return String.join("\n",
                "kube_horizontalpodautoscaler_status_desired_replicas{" + hpa + "} 2",
                "kube_horizontalpodautoscaler_status_current_replicas{" + hpa + "} 2",
                "kube_horizontalpodautoscaler_spec_max_replicas{" + hpa + "} 20",
                "kube_pod_container_status_restarts_total{" + pod + "} 0",
                "kube_pod_container_resource_requests{" + pod + ",node=\"node-1\",resource=\"cpu\",unit=\"core\"} 2",
                "kube_pod_container_resource_limits{" + pod + ",node=\"node-1\",resource=\"memory\",unit=\"byte\"} 4294967296",
                "container_cpu_usage_seconds_total{" + pod + "} " + cpuSeconds,
                "container_memory_working_set_bytes{" + pod + "} " + resident,
                "");
    }

    private static long residentBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.substring(6).trim().split("\\s+")[0]) * 1024).findFirst().orElse(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
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
