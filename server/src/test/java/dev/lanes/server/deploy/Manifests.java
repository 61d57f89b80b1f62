package dev.lanes.server.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads deploy/k8s the way kustomize would (resources of each kustomization, recursively) and
 * binds every built-in object to fabric8's Kubernetes model. Strict: a field the schema does not
 * know (fabric8 keeps those in additionalProperties) is an error, so a typo cannot pass.
 */
final class Manifests {
    static final Path ROOT = Path.of("..", "deploy", "k8s");
    static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final Map<String, Class<?>> BUILT_IN = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

    /** One object of a rendered overlay, typed when it is a built-in kind. */
    record Resource(Path file, String apiVersion, String kind, String name, JsonNode tree, Object typed) {
    }

    private Manifests() {
    }

    /** Every object an overlay (or any kustomization directory) deploys. */
    static List<Resource> render(Path kustomization) throws IOException {
        List<Resource> resources = new ArrayList<>();
        JsonNode spec = YAML.readTree(kustomization.resolve("kustomization.yaml").toFile());
        for (JsonNode entry : spec.path("resources")) {
            Path target = kustomization.resolve(entry.asText()).normalize();
            if (Files.isDirectory(target)) {
                resources.addAll(render(target));
            } else {
                resources.add(read(target));
            }
        }
        return resources;
    }

    static Resource read(Path file) throws IOException {
        JsonNode tree = YAML.readTree(file.toFile());
        String apiVersion = tree.path("apiVersion").asText();
        String kind = tree.path("kind").asText();
        Class<?> type = BUILT_IN.get(apiVersion + "/" + kind);
        Object typed = null;
        if (type != null) {
            typed = YAML.treeToValue(tree, type);
            List<String> unknown = new ArrayList<>();
            unknownFields(typed, "", unknown, new IdentityHashMap<>());
            if (!unknown.isEmpty()) {
                throw new IllegalStateException(file + ": fields not in the " + kind + " schema: " + unknown);
            }
        }
        return new Resource(file, apiVersion, kind, tree.path("metadata").path("name").asText(), tree, typed);
    }

    @SuppressWarnings("unchecked")
    private static <T> T as(Resource resource, Class<T> type) {
        return (T) resource.typed();
    }

    static <T> List<T> all(List<Resource> resources, Class<T> type) {
        return resources.stream().filter(r -> type.isInstance(r.typed())).map(r -> as(r, type)).toList();
    }

    /** The one object of {@code type} named {@code name}. */
    static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T named(List<Resource> resources, Class<T> type,
                                                                          String name) {
        return all(resources, type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    /** The untyped object (a custom resource) of {@code kind} named {@code name}. */
    static JsonNode custom(List<Resource> resources, String kind, String name) {
        return resources.stream().filter(r -> r.kind().equals(kind) && r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name)).tree();
    }

    static ObjectMapper json() {
        return new ObjectMapper();
    }

    /** Walks fabric8 model objects and collects any additionalProperties they had to keep. */
    private static void unknownFields(Object value, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> unknownFields(item, path + "." + key, unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method method : value.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || !method.getName().startsWith("get")
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object child = method.invoke(value);
                if (method.getName().equals("getAdditionalProperties")) {
                    if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + " " + extra.keySet());
                    }
                } else {
                    unknownFields(child, path + "." + method.getName().substring(3), unknown, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
