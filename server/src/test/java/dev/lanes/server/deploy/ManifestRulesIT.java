package dev.lanes.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.lanes.server.config.ConfigKeys;
import dev.lanes.server.testing.ChildCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules an SRE checks deploy/k8s against before applying it: pods sized from their requests,
 * probes that tolerate load, no credentials where they need not be, network policies that match
 * the ports, one scrape per pod, and alerts that fire (promtool's own unit tests, run here).
 */
class ManifestRulesIT {
    private static final long MIB = 1L << 20;
    /** Metaspace, code cache, GC structures and thread stacks of a node, measured well under this. */
    static final long JVM_OVERHEAD_BYTES = 512 * MIB;

    @TempDir
    Path directory;

    private static List<Manifests.Resource> hpaOverlay() throws Exception {
        return Manifests.render(Manifests.ROOT.resolve("overlays").resolve("hpa"));
    }

    private static Container lanes(List<Manifests.Resource> resources) {
        return pod(resources, "lanes").getContainers().stream().filter(c -> c.getName().equals("lanes"))
                .findFirst().orElseThrow();
    }

    private static PodSpec pod(List<Manifests.Resource> resources, String deployment) {
        return Manifests.named(resources, Deployment.class, deployment).getSpec().getTemplate().getSpec();
    }

    private static JsonNode lanesConfig(List<Manifests.Resource> resources) throws Exception {
        ConfigMap config = Manifests.named(resources, ConfigMap.class, "lanes-config");
        return Manifests.YAML.readTree(config.getData().get("application.yaml")).path("lanes");
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " has no " + name));
    }

    @Test
    void cpus_comeFromTheRequest_andTheJvmSeesOnlyThose() throws Exception {
        Container container = lanes(hpaOverlay());
        Map<String, Quantity> requests = container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits();
        assertEquals(requests.get("cpu"), limits.get("cpu"), "CPU request = limit (Guaranteed QoS)");
        EnvVar cpus = env(container, ConfigKeys.environmentName(ConfigKeys.CPUS));
        var field = cpus.getValueFrom().getResourceFieldRef();
        assertEquals("requests.cpu", field.getResource());
        assertEquals("lanes", field.getContainerName());
        assertEquals(new BigDecimal(1), Quantity.getAmountInBytes(field.getDivisor()), "whole CPUs, rounded up");
        List<String> names = container.getEnv().stream().map(EnvVar::getName).toList();
        String options = env(container, "JAVA_TOOL_OPTIONS").getValue();
        assertTrue(options.contains("-XX:ActiveProcessorCount=$(LANES_CPUS)"), options);
        assertTrue(names.indexOf("LANES_CPUS") < names.indexOf("JAVA_TOOL_OPTIONS"),
                "Kubernetes expands $(LANES_CPUS) only from variables defined before it");
    }

    /**
     * The sizing rule of docs/operations.md: the memory limit holds the heap, direct memory, the
     * JVM's own overhead and ONNX Runtime's native memory (model file × instances × 2, summed).
     */
    @Test
    void memory_requestEqualsLimit_andTheLimitHoldsHeapDirectAndNativeMemory() throws Exception {
        Container container = lanes(hpaOverlay());
        Quantity request = container.getResources().getRequests().get("memory");
        Quantity limit = container.getResources().getLimits().get("memory");
        assertEquals(request, limit, "memory request = limit: the scheduler reserves what the kernel enforces");
        long limitBytes = Quantity.getAmountInBytes(limit).longValueExact();
        String options = env(container, "JAVA_TOOL_OPTIONS").getValue();
        Matcher heap = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(options);
        Matcher direct = Pattern.compile("-XX:MaxDirectMemorySize=(\\d+)m").matcher(options);
        assertTrue(heap.find() && direct.find(), "heap share and direct memory are explicit: " + options);
        assertTrue(options.contains("-XX:+ExitOnOutOfMemoryError"), options);
        long heapBytes = limitBytes * Integer.parseInt(heap.group(1)) / 100;
        long directBytes = Long.parseLong(direct.group(1)) * MIB;
        long nativeBudget = limitBytes - heapBytes - directBytes - JVM_OVERHEAD_BYTES;
        assertTrue(nativeBudget >= 1024 * MIB, "at least 1 GiB left for ONNX Runtime: " + nativeBudget / MIB + " MiB");
        assertTrue(directBytes >= 256 * MIB, "direct memory holds the default buffer pool (256 MiB)");
        long demoModels;
        try (Stream<Path> files = Files.walk(Path.of("demo-models"))) {
            demoModels = files.filter(p -> p.toString().endsWith(".onnx")).mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(demoModels * 2 * 8 < nativeBudget, "the bundled models fit with 8 instances each");
    }

    @Test
    void probes_tolerateASlowAnswer_andStartupWaitsForTheModels() throws Exception {
        Container container = lanes(hpaOverlay());
        Probe readiness = container.getReadinessProbe();
        assertTrue(readiness.getPeriodSeconds() >= 5 && readiness.getFailureThreshold() >= 3,
                "one slow answer under load does not drop the pod");
        assertTrue(readiness.getTimeoutSeconds() >= 2);
        Probe startup = container.getStartupProbe();
        assertEquals("/v2/health/ready", startup.getHttpGet().getPath(), "started means every model is ready");
        assertTrue(startup.getPeriodSeconds() * startup.getFailureThreshold() >= 300, "5 minutes to load models");
        Probe liveness = container.getLivenessProbe();
        assertEquals("/v2/health/live", liveness.getHttpGet().getPath(), "an unready model does not restart the pod");
        assertTrue(liveness.getFailureThreshold() * liveness.getPeriodSeconds() >= 30);
        assertTrue(lanesConfig(hpaOverlay()).path("exit-on-error").asBoolean(),
                "a model that cannot load stops the pod (CrashLoopBackOff halts the rollout)");
    }

    @Test
    void terminationGrace_coversPreStopDrainGraceAndTimeout() throws Exception {
        List<Manifests.Resource> resources = hpaOverlay();
        Container container = lanes(resources);
        List<String> preStop = container.getLifecycle().getPreStop().getExec().getCommand();
        assertNull(container.getLifecycle().getPreStop().getSleep(), "the sleep action needs Kubernetes 1.30+");
        assertEquals("sleep", preStop.get(0));
        long preStopSeconds = Long.parseLong(preStop.get(1));
        JsonNode server = lanesConfig(resources).path("server");
        long drain = java.time.Duration.parse(server.path("drain-grace").asText())
                .plus(java.time.Duration.parse(server.path("drain-timeout").asText())).toSeconds();
        long grace = pod(resources, "lanes").getTerminationGracePeriodSeconds();
        assertTrue(grace > preStopSeconds + drain, grace + " s must exceed preStop " + preStopSeconds + " s + drain "
                + drain + " s");
    }

    @Test
    void noPodCarriesAServiceAccountToken_andNoneIsScrapedByAnnotation() throws Exception {
        List<Manifests.Resource> resources = hpaOverlay();
        for (Deployment deployment : Manifests.all(resources, Deployment.class)) {
            assertEquals(Boolean.FALSE, deployment.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken(),
                    deployment.getMetadata().getName());
            Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
            assertTrue(annotations == null || annotations.keySet().stream().noneMatch(k -> k.startsWith("prometheus.io/")),
                    "the PodMonitor is the one scrape: annotations would make a second");
        }
    }

    @Test
    void redisPassword_comesFromOneSecret_andIsOnNoCommandLine() throws Exception {
        List<Manifests.Resource> resources = hpaOverlay();
        Container redis = pod(resources, "lanes-redis").getContainers().get(0);
        assertTrue(redis.getImage().matches(".*:\\d+\\.\\d+\\.\\d+(-[a-z]+)?(@sha256:[0-9a-f]{64})?"),
                "a pinned Redis release: " + redis.getImage());
        var secret = env(redis, "REDIS_PASSWORD").getValueFrom().getSecretKeyRef();
        String args = String.join(" ", redis.getCommand()) + " " + String.join(" ", redis.getArgs());
        assertTrue(args.contains("requirepass $REDIS_PASSWORD") && args.contains("redis-server -"),
                "requirepass reaches Redis on standard input: " + args);
        assertFalse(redis.getArgs().stream().anyMatch(a -> a.contains("requirepass")), "not as an argument");

        Container lanes = lanes(resources);
        String file = env(lanes, ConfigKeys.environmentName(ConfigKeys.CACHE_REDIS_PASSWORD_FILE)).getValue();
        VolumeMount mount = lanes.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath() + "/"))
                .max(java.util.Comparator.comparingInt(m -> m.getMountPath().length()))
                .orElseThrow(() -> new AssertionError("no mount holds " + file));
        Volume volume = pod(resources, "lanes").getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                .findFirst().orElseThrow();
        assertEquals(secret.getName(), volume.getSecret().getSecretName(), "Lanes and Redis read the same Secret");
        assertEquals(secret.getKey(), volume.getSecret().getItems().get(0).getKey());
        assertEquals(file.substring(mount.getMountPath().length() + 1), volume.getSecret().getItems().get(0).getPath());
    }

    @Test
    void networkPolicies_admitOnlyTheirClients_onPortsThePodsHave() throws Exception {
        List<Manifests.Resource> resources = hpaOverlay();
        Container container = lanes(resources);
        Set<String> ports = container.getPorts().stream().map(p -> p.getName()).collect(Collectors.toSet());
        NetworkPolicy lanes = Manifests.named(resources, NetworkPolicy.class, "lanes");
        assertEquals(Map.of("app.kubernetes.io/name", "lanes"), lanes.getSpec().getPodSelector().getMatchLabels());
        assertEquals(List.of("Ingress"), lanes.getSpec().getPolicyTypes());
        NetworkPolicyIngressRule inference = rule(lanes, "http");
        assertEquals(Set.of("http", "grpc"), ruleHolding(lanes, "http"));
        assertTrue(inference.getFrom().stream().allMatch(p -> p.getNamespaceSelector() != null && p.getPodSelector() == null),
                "inference from the ingress namespace and labelled client namespaces");
        NetworkPolicyIngressRule metrics = rule(lanes, "metrics");
        assertEquals(Set.of("metrics"), ruleHolding(lanes, "metrics"), "the metrics port has a rule of its own");
        NetworkPolicyPeer prometheus = metrics.getFrom().get(0);
        assertEquals(1, metrics.getFrom().size());
        assertEquals("prometheus", prometheus.getPodSelector().getMatchLabels().get("app.kubernetes.io/name"));
        lanes.getSpec().getIngress().forEach(rule -> rule.getPorts().forEach(port ->
                assertTrue(ports.contains(port.getPort().getStrVal()), "named port " + port.getPort())));
        assertEquals(container.getPorts().stream().filter(p -> p.getName().equals("metrics")).findFirst().orElseThrow()
                .getContainerPort(), lanesConfig(resources).path("server").path("metrics-port").asInt(),
                "the node serves metrics where the policy and the PodMonitor look");

        NetworkPolicy redis = Manifests.named(resources, NetworkPolicy.class, "lanes-redis");
        assertEquals(Map.of("app.kubernetes.io/name", "lanes-redis"), redis.getSpec().getPodSelector().getMatchLabels());
        assertEquals(1, redis.getSpec().getIngress().size());
        NetworkPolicyIngressRule fromLanes = redis.getSpec().getIngress().get(0);
        assertEquals(Map.of("app.kubernetes.io/name", "lanes"),
                fromLanes.getFrom().get(0).getPodSelector().getMatchLabels(), "only Lanes pods reach Redis");
        assertEquals("redis", fromLanes.getPorts().get(0).getPort().getStrVal());
    }

    private static NetworkPolicyIngressRule rule(NetworkPolicy policy, String port) {
        return policy.getSpec().getIngress().stream()
                .filter(r -> r.getPorts().stream().anyMatch(p -> port.equals(p.getPort().getStrVal())))
                .findFirst().orElseThrow(() -> new AssertionError("no rule for port " + port));
    }

    private static Set<String> ruleHolding(NetworkPolicy policy, String port) {
        return rule(policy, port).getPorts().stream().map(p -> p.getPort().getStrVal()).collect(Collectors.toSet());
    }

    @Test
    void podMonitor_isSelectedByKubePrometheusStack_andScrapesTheMetricsPort() throws Exception {
        List<Manifests.Resource> resources = hpaOverlay();
        JsonNode monitor = Manifests.custom(resources, "PodMonitor", "lanes");
        assertEquals("kube-prometheus-stack", monitor.path("metadata").path("labels").path("release").asText());
        JsonNode endpoint = monitor.path("spec").path("podMetricsEndpoints").get(0);
        assertEquals("metrics", endpoint.path("port").asText());
        assertEquals(1, monitor.path("spec").path("podMetricsEndpoints").size(), "one scrape per pod");
        String jobLabel = monitor.path("spec").path("jobLabel").asText();
        assertEquals("lanes", Manifests.named(resources, Deployment.class, "lanes").getSpec().getTemplate()
                .getMetadata().getLabels().get(jobLabel), "job=\"lanes\", as the alerts select");
        JsonNode rule = Manifests.custom(resources, "PrometheusRule", "lanes");
        assertEquals("kube-prometheus-stack", rule.path("metadata").path("labels").path("release").asText());
    }

    /** Every alert fires and stays quiet as tests/lanes-alerts-test.yaml says, by promtool itself. */
    @Test
    void alerts_passPromtoolsChecksAndUnitTests() throws Exception {
        JsonNode rule = Manifests.custom(hpaOverlay(), "PrometheusRule", "lanes");
        Path rules = directory.resolve("lanes-alerts.rules.yaml");
        new YAMLMapper().writeValue(rules.toFile(), rule.path("spec"));
        Path tests = Files.copy(Manifests.ROOT.resolve("monitoring/tests/lanes-alerts-test.yaml"),
                directory.resolve("lanes-alerts-test.yaml"));
        ChildCommand.Outcome check = ChildCommand.run(List.of("promtool", "check", "rules", rules.toString()));
        assertTrue(check.succeeded(), check.output());
        assertTrue(check.output().contains("SUCCESS: 7 rules found"), check.output());
        ChildCommand.Outcome unit = ChildCommand.run(List.of("promtool", "test", "rules", tests.toString()), directory);
        assertTrue(unit.succeeded(), unit.output());

        Set<String> alerts = alertNames(rule);
        String testText = Files.readString(tests);
        for (String alert : alerts) {
            assertTrue(testText.contains("alertname: " + alert), alert + " has a promtool test");
            assertTrue(Files.readString(Path.of("..", "docs", "operations.md")).contains("#### " + alert),
                    alert + " has a runbook paragraph in docs/operations.md");
        }
    }

    @Test
    void queueAlert_usesTheHpasTarget() throws Exception {
        List<Manifests.Resource> resources = hpaOverlay();
        HorizontalPodAutoscaler hpa = Manifests.all(resources, HorizontalPodAutoscaler.class).get(0);
        String target = hpa.getSpec().getMetrics().stream().filter(m -> m.getPods() != null).findFirst().orElseThrow()
                .getPods().getTarget().getAverageValue().getAmount();
        String expression = expression(Manifests.custom(resources, "PrometheusRule", "lanes"),
                "LanesQueueAboveTargetAtMaxReplicas");
        assertTrue(expression.contains(") > " + target + "\n"), "threshold " + target + " in " + expression);
        String keda = Manifests.render(Manifests.ROOT.resolve("overlays/keda")).stream()
                .filter(r -> r.kind().equals("ScaledObject")).findFirst().orElseThrow().name();
        // KEDA names the HPA it creates keda-hpa-<ScaledObject>
        assertTrue(expression.contains("horizontalpodautoscaler=~\"" + hpa.getMetadata().getName() + "|keda-hpa-" + keda
                + "\""), expression);
    }

    @Test
    void image_cachesDependenciesBeforeSources_andLeavesBuildOutputOutOfItsContext() throws Exception {
        List<String> ignored = Files.readAllLines(Path.of("..", ".dockerignore"));
        for (String path : List.of(".git", "**/target", ".models")) {
            assertTrue(ignored.contains(path), ".dockerignore leaves out " + path);
        }
        List<String> lines = Files.readAllLines(Path.of("..", "deploy", "Dockerfile"));
        int sources = lines.indexOf("COPY . .");
        int dependencies = -1;
        for (int i = 0; i < sources; i++) {
            if (lines.get(i).startsWith("RUN ./mvnw")) {
                dependencies = i;
            }
        }
        assertTrue(dependencies > 0 && sources > dependencies, "a Maven run on the poms precedes COPY . .");
        for (String module : List.of("model-runtime", "cache", "autoscale-signals", "server", "benchmarks")) {
            assertTrue(lines.subList(0, dependencies).contains("COPY " + module + "/pom.xml " + module + "/"), module);
        }
        assertTrue(lines.get(sources + 1).startsWith("RUN ./mvnw -B -q -o "), "the source build runs offline");
    }

    static Set<String> alertNames(JsonNode rule) {
        Set<String> names = new java.util.TreeSet<>();
        rule.path("spec").path("groups").forEach(group -> group.path("rules").forEach(r -> names.add(r.path("alert").asText())));
        return names;
    }

    static String expression(JsonNode rule, String alert) {
        for (JsonNode group : rule.path("spec").path("groups")) {
            for (JsonNode r : group.path("rules")) {
                if (r.path("alert").asText().equals(alert)) {
                    return r.path("expr").asText();
                }
            }
        }
        throw new AssertionError("no alert " + alert);
    }

    static List<String> expressions(JsonNode rule) {
        List<String> all = new java.util.ArrayList<>();
        rule.path("spec").path("groups").forEach(group -> group.path("rules").forEach(r -> all.add(r.path("expr").asText())));
        return all;
    }
}
