package dev.lanes.runtime.model;

import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.config.proto.ModelInstanceGroup;
import dev.lanes.runtime.config.proto.ModelParameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's load-time settings, resolved from config.pbtxt and the server defaults: where and how
 * many instances run, ORT threading and optimization, and which versions are served.
 *
 * @param intraOpThreads ORT intra-op threads per instance; from Triton's {@code intra_op_thread_count}
 *                       parameter, else the cores divided among the instances
 * @param graphLevel     Triton's optimization.graph.level: -1 basic, 1 extended, 0 or absent all
 */
public record ModelSettings(String name,
                            int instanceCount,
                            ProviderChoice provider,
                            List<Integer> gpus,
                            int intraOpThreads,
                            int interOpThreads,
                            int graphLevel,
                            VersionPolicy versionPolicy,
                            String modelFilename,
                            ModelConfig config) {
    private static final String ONNX_PLATFORM = "onnxruntime_onnx";
    private static final String ONNX_BACKEND = "onnxruntime";

    public ModelSettings {
        gpus = List.copyOf(gpus);
    }

    /**
     * Resolves settings for the model in directory {@code directoryName}.
     *
     * @throws IllegalArgumentException with a reason for the index when the config cannot be served
     */
    public static ModelSettings resolve(String directoryName, ModelConfig config, RuntimeSettings runtime) {
        if (!config.getName().isEmpty() && !config.getName().equals(directoryName)) {
            throw new IllegalArgumentException("config.pbtxt names the model '" + config.getName()
                    + "' but its directory is '" + directoryName + "'");
        }
        if (!config.getPlatform().isEmpty() && !config.getPlatform().equals(ONNX_PLATFORM)) {
            throw new IllegalArgumentException("platform '" + config.getPlatform()
                    + "' is not served; Lanes serves ONNX models (platform '" + ONNX_PLATFORM + "')");
        }
        if (!config.getBackend().isEmpty() && !config.getBackend().equals(ONNX_BACKEND)) {
            throw new IllegalArgumentException("backend '" + config.getBackend()
                    + "' is not served; Lanes serves ONNX models (backend '" + ONNX_BACKEND + "')");
        }
        ConfigBounds.check("max_batch_size", config.getMaxBatchSize(), 0, ConfigBounds.MAX_BATCH_SIZE);
        int instances = 0;
        ProviderChoice provider = runtime.executionProvider();
        List<Integer> gpus = new ArrayList<>();
        for (ModelInstanceGroup group : config.getInstanceGroupList()) {
            int count = group.getCount() == 0 ? 1 : group.getCount();
            ConfigBounds.check("instance_group count", count, 1, ConfigBounds.MAX_INSTANCES);
            ConfigBounds.check("instance_group gpus", group.getGpusCount(), 0, ConfigBounds.MAX_INSTANCES);
            switch (group.getKind()) {
                case KIND_GPU -> {
                    provider = ProviderChoice.CUDA;
                    gpus.addAll(group.getGpusList());
                    count *= Math.max(1, group.getGpusCount());
                }
                case KIND_CPU -> provider = ProviderChoice.CPU;
                default -> { }
            }
            instances += count;
            ConfigBounds.check("the instances of all instance_groups", instances, 1, ConfigBounds.MAX_INSTANCES);
        }
        instances = Math.max(1, instances);
        Map<String, ModelParameter> parameters = config.getParametersMap();
        int intraOp = intParameter(parameters, "intra_op_thread_count", Math.max(1, runtime.cpus() / instances),
                ConfigBounds.MAX_INTRA_OP_THREADS);
        int interOp = intParameter(parameters, "inter_op_thread_count", 1, ConfigBounds.MAX_INTER_OP_THREADS);
        if ((long) instances * (intraOp + interOp) > ConfigBounds.MAX_MODEL_THREADS) {
            throw new IllegalArgumentException(instances + " instances × (" + intraOp + " intra-op + " + interOp
                    + " inter-op threads) is more than " + ConfigBounds.MAX_MODEL_THREADS + " threads for one model");
        }
        String filename = config.getDefaultModelFilename().isEmpty() ? "model.onnx" : config.getDefaultModelFilename();
        if (filename.contains("/") || filename.contains("\\") || filename.contains("..")) {
            throw new IllegalArgumentException("default_model_filename must be a plain file name, got '" + filename + "'");
        }
        return new ModelSettings(directoryName, instances, provider, gpus, intraOp, interOp,
                config.getOptimization().getGraph().getLevel(), VersionPolicy.from(config.getVersionPolicy()),
                filename, config);
    }

    private static int intParameter(Map<String, ModelParameter> parameters, String key, int fallback, int max) {
        ModelParameter parameter = parameters.get(key);
        if (parameter == null || parameter.getStringValue().isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(parameter.getStringValue().trim());
            if (value < 0 || value > max) {
                throw new NumberFormatException();
            }
            return value == 0 ? fallback : value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter " + key + " must be an integer between 0 (default) and "
                    + max + ", got '" + parameter.getStringValue() + "'");
        }
    }
}
