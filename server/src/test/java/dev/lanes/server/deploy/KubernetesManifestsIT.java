package dev.lanes.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.config.ConfigKeys;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GRPCAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s parsed strictly against the Kubernetes schema, its cross-references checked, and
 * every endpoint and metric it names checked against a running Lanes node.
 */
class KubernetesManifestsIT {
    private static final Pattern METRIC = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");

    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("affine", 1, TestModels.affine())
                    .config("affine", "response_cache { enable: true }\n"))
            .start(dir -> ServerFixture.start(dir, true));
    static Set<String> exported;

    private static ServerFixture server() {
        return node.server();
    }

    private static Path repository() {
        return node.repository();
    }

    @BeforeAll
    static void start() throws Exception {
        String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}";
        server().post("/v2/models/affine/infer", body);
        server().post("/v2/models/affine/infer", body);
        server().post("/v2/models/affine/infer", "{}");
        exported = new HashSet<>();
        server().get("/metrics").body().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> exported.add(line.split("[{ ]", 2)[0]));
    }

    private static List<Manifests.Resource> overlay(String name) throws Exception {
        return Manifests.render(Manifests.ROOT.resolve("overlays").resolve(name));
    }

    @Test
    void everyOverlay_rendersAndBindsStrictly() throws Exception {
        for (String overlay : List.of("hpa", "keda")) {
            List<Manifests.Resource> resources = overlay(overlay);
            assertFalse(resources.isEmpty());
            for (Manifests.Resource resource : resources) {
                assertFalse(resource.name().isBlank(), resource.file() + " has a name");
                assertFalse(resource.apiVersion().isBlank() || resource.kind().isBlank(), resource.file().toString());
            }
        }
    }

    @Test
    void crossReferences_holdTogether() throws Exception {
        List<Manifests.Resource> resources = overlay("hpa");
        Deployment lanes = Manifests.all(resources, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("lanes")).findFirst().orElseThrow();
        Map<String, String> podLabels = lanes.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(lanes.getSpec().getSelector().getMatchLabels().entrySet()),
                "the Deployment selects its own pods");

        HorizontalPodAutoscaler hpa = Manifests.all(resources, HorizontalPodAutoscaler.class).get(0);
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals("apps/v1", hpa.getSpec().getScaleTargetRef().getApiVersion());
        assertEquals("lanes", hpa.getSpec().getScaleTargetRef().getName());

        for (Service service : Manifests.all(resources, Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            boolean selectsSomething = Manifests.all(resources, Deployment.class).stream().anyMatch(d ->
                    d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()));
            assertTrue(selectsSomething, "Service " + service.getMetadata().getName() + " selects pods");
        }
        Service service = Manifests.all(resources, Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals("lanes")).findFirst().orElseThrow();
        Container container = lanes.getSpec().getTemplate().getSpec().getContainers().get(0);
        Set<String> portNames = new HashSet<>();
        container.getPorts().forEach(port -> portNames.add(port.getName()));
        service.getSpec().getPorts().forEach(port ->
                assertTrue(portNames.contains(port.getTargetPort().getStrVal()), "target port " + port.getTargetPort()));
        assertTrue(service.getSpec().getPorts().stream().anyMatch(port -> port.getName().equals("grpc")
                && port.getPort() == 8001 && "kubernetes.io/h2c".equals(port.getAppProtocol())),
                "a gRPC port load balancers treat as HTTP/2");
        Service headless = Manifests.all(resources, Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals("lanes-grpc")).findFirst().orElseThrow();
        assertEquals("None", headless.getSpec().getClusterIP(), "DNS names every pod for client-side round robin");
        assertEquals(List.of("grpc"), headless.getSpec().getPorts().stream().map(p -> p.getName()).toList());
        int grpcContainerPort = container.getPorts().stream().filter(p -> p.getName().equals("grpc")).findFirst()
                .orElseThrow().getContainerPort();
        JsonNode grpcConfig = Manifests.YAML.readTree(config(resources).getData().get("application.yaml"))
                .path("lanes").path("grpc");
        assertEquals(grpcContainerPort, grpcConfig.path("port").asInt(), "the node listens where the pod says");
        assertTrue(Duration.parse(grpcConfig.path("max-connection-age").asText()).toSeconds() <= 300,
                "connections are recycled often enough to reach new pods");

        PodDisruptionBudget budget = Manifests.all(resources, PodDisruptionBudget.class).get(0);
        assertTrue(podLabels.entrySet().containsAll(budget.getSpec().getSelector().getMatchLabels().entrySet()));

        ConfigMap config = config(resources);
        lanes.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getConfigMap() != null)
                .forEach(v -> v.getConfigMap().getItems().forEach(item ->
                        assertTrue(config.getData().containsKey(item.getKey()), item.getKey())));
        // A key the ConfigMap lacks is fine only for an optional reference (a choice left to the
        // operator, e.g. Redis Sentinel), and its name must then follow the variable's, so a typo fails.
        container.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null)
                .forEach(e -> {
                    String key = e.getValueFrom().getConfigMapKeyRef().getKey();
                    boolean optional = Boolean.TRUE.equals(e.getValueFrom().getConfigMapKeyRef().getOptional());
                    String derived = e.getName().replaceFirst("^LANES_CACHE_", "").toLowerCase(java.util.Locale.ROOT)
                            .replace('_', '-');
                    assertTrue(config.getData().containsKey(key) || (optional && key.equals(derived)),
                            e.getName() + " reads a key the ConfigMap has (or, optional, is named " + derived + ")");
                });
        assertTrue(container.getEnv().stream().anyMatch(e -> e.getName().equals(
                ConfigKeys.environmentName(ConfigKeys.CACHE_REDIS_URL))), "Redis comes in through the environment");
        java.util.Set<String> known = ConfigKeys.ALL.stream().map(ConfigKeys::environmentName)
                .collect(java.util.stream.Collectors.toSet());
        container.getEnv().stream().filter(e -> e.getName().startsWith("LANES_"))
                .forEach(e -> assertTrue(known.contains(e.getName()), e.getName() + " is a variable Lanes reads"));
        var token = container.getEnv().stream().filter(e -> e.getName().equals(
                ConfigKeys.environmentName(ConfigKeys.MANAGEMENT_TOKEN))).findFirst().orElseThrow();
        assertTrue(token.getValueFrom().getSecretKeyRef() != null, "the management token comes from a Secret");
    }

    private static ConfigMap config(List<Manifests.Resource> resources) {
        return Manifests.all(resources, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().equals("lanes-config")).findFirst().orElseThrow();
    }

    @Test
    void probes_hitEndpointsThatAnswer() throws Exception {
        PodSpec pod = Manifests.all(overlay("hpa"), Deployment.class).get(0).getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        assertEquals("/v2/health/ready", container.getStartupProbe().getHttpGet().getPath());
        assertEquals("/v2/health/live", container.getLivenessProbe().getHttpGet().getPath());
        for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe())) {
            HTTPGetAction get = probe.getHttpGet();
            assertEquals(200, server().get(get.getPath()).statusCode(), get.getPath());
        }
        // Readiness asks gRPC health for the inference service, as the kubelet would.
        GRPCAction readiness = container.getReadinessProbe().getGrpc();
        assertEquals(8001, readiness.getPort());
        try (ServerFixture draining = ServerFixture.start(repository(), true);
             GrpcClient grpc = new GrpcClient(draining.server().grpcPort())) {
            HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(readiness.getService()).build();
            assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                    HealthGrpc.newBlockingStub(grpc.channel()).check(request).getStatus());
            draining.server().state().startDraining();
            assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING,
                    HealthGrpc.newBlockingStub(grpc.channel()).check(request).getStatus(), "a draining pod is not ready");
        }
        assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    }

    @Test
    void everyMetricNamed_isExportedByARunningNode() throws Exception {
        Set<String> named = new HashSet<>();
        HorizontalPodAutoscaler hpa = Manifests.all(overlay("hpa"), HorizontalPodAutoscaler.class).get(0);
        hpa.getSpec().getMetrics().stream().filter(m -> m.getPods() != null)
                .forEach(m -> named.add(m.getPods().getMetric().getName()));
        String adapter = Files.readString(Manifests.ROOT.resolve("monitoring/prometheus-adapter-rules.yaml"));
        named.addAll(metrics(adapter));
        JsonNode dashboard = Manifests.json().readTree(Manifests.ROOT.resolve("monitoring/lanes-dashboard.json").toFile());
        for (String expression : DashboardExpressions.all(dashboard)) {
            named.addAll(metrics(expression));
        }
        Manifests.Resource scaledObject = overlay("keda").stream().filter(r -> r.kind().equals("ScaledObject"))
                .findFirst().orElseThrow();
        assertEquals("lanes", scaledObject.tree().path("spec").path("scaleTargetRef").path("name").asText());
        scaledObject.tree().path("spec").path("triggers").forEach(trigger ->
                named.addAll(metrics(trigger.path("metadata").path("query").asText())));
        for (String expression : ManifestRulesIT.expressions(Manifests.custom(overlay("hpa"), "PrometheusRule", "lanes"))) {
            named.addAll(metrics(expression));
        }
        // kube-state-metrics' and cAdvisor's series, and Prometheus' own up: not the node's
        named.removeIf(name -> name.startsWith("kube_") || name.startsWith("container_") || name.equals("up"));

        assertTrue(named.contains("inference_queue_length"));
        assertTrue(named.size() > 8, named.toString());
        for (String metric : named) {
            assertTrue(exported.contains(metric), metric + " is named in deploy/k8s but not exported");
        }
    }

    static Set<String> metrics(String text) {
        Set<String> names = new HashSet<>();
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}
