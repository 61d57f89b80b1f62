package dev.lanes.runtime.repository;

import dev.lanes.runtime.batch.BatchPolicy;
import dev.lanes.runtime.config.proto.DataType;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.config.proto.ModelDynamicBatching;
import dev.lanes.runtime.config.proto.ModelInput;
import dev.lanes.runtime.config.proto.ModelInstanceGroup;
import dev.lanes.runtime.config.proto.ModelOptimizationPolicy;
import dev.lanes.runtime.config.proto.ModelOutput;
import dev.lanes.runtime.config.proto.ModelParameter;
import dev.lanes.runtime.config.proto.ModelQueuePolicy;
import dev.lanes.runtime.config.proto.ModelVersionPolicy;
import dev.lanes.runtime.model.ModelSettings;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.ort.ExecutionProvider;

import java.util.concurrent.TimeUnit;

/**
 * The configuration a model version actually runs with, as Triton's ModelConfig: what
 * config.pbtxt said, completed with what Lanes derived or defaulted (signature, max_batch_size,
 * batching policy, instances and the provider they run on, ORT threads, file name). Fields Lanes
 * does not use are kept as written.
 */
final class EffectiveConfig {
    private EffectiveConfig() {
    }

    static ModelConfig of(String model, ModelSettings settings, ModelSignature signature, BatchPolicy policy,
                          ExecutionProvider provider, int instances) {
        ModelConfig.Builder config = settings.config().toBuilder()
                .setName(model)
                .setPlatform("onnxruntime_onnx")
                .setBackend("onnxruntime")
                .setMaxBatchSize(signature.maxBatchSize())
                .setDefaultModelFilename(settings.modelFilename())
                .clearInput()
                .clearOutput()
                .clearInstanceGroup()
                .clearDynamicBatching();
        for (TensorSpec spec : signature.inputs()) {
            config.addInput(ModelInput.newBuilder().setName(spec.name()).setDataType(dataType(spec))
                    .addAllDims(dims(spec)));
        }
        for (TensorSpec spec : signature.outputs()) {
            config.addOutput(ModelOutput.newBuilder().setName(spec.name()).setDataType(dataType(spec))
                    .addAllDims(dims(spec)));
        }
        config.addInstanceGroup(ModelInstanceGroup.newBuilder()
                .setName(model)
                .setCount(instances)
                .setKind(provider == ExecutionProvider.CUDA ? ModelInstanceGroup.Kind.KIND_GPU
                        : ModelInstanceGroup.Kind.KIND_CPU)
                .addAllGpus(provider == ExecutionProvider.CUDA ? settings.gpus() : java.util.List.of()));
        if (policy.dynamicBatching()) {
            config.setDynamicBatching(ModelDynamicBatching.newBuilder()
                    .addAllPreferredBatchSize(java.util.Arrays.stream(policy.preferredBatchSizes()).boxed().toList())
                    .setMaxQueueDelayMicroseconds(TimeUnit.NANOSECONDS.toMicros(policy.maxQueueDelayNanos()))
                    .setDefaultQueuePolicy(ModelQueuePolicy.newBuilder()
                            .setMaxQueueSize(policy.maxQueueSize())
                            .setDefaultTimeoutMicroseconds(TimeUnit.NANOSECONDS.toMicros(policy.defaultTimeoutNanos()))
                            .setAllowTimeoutOverride(policy.allowTimeoutOverride())));
        }
        config.putParameters("intra_op_thread_count", parameter(settings.intraOpThreads()));
        config.putParameters("inter_op_thread_count", parameter(settings.interOpThreads()));
        config.setOptimization(ModelOptimizationPolicy.newBuilder()
                .setGraph(ModelOptimizationPolicy.Graph.newBuilder().setLevel(settings.graphLevel())));
        if (!config.hasVersionPolicy()) {
            config.setVersionPolicy(ModelVersionPolicy.newBuilder()
                    .setLatest(ModelVersionPolicy.Latest.newBuilder().setNumVersions(1)));
        }
        return config.build();
    }

    private static DataType dataType(TensorSpec spec) {
        return DataType.valueOf(spec.dataType().tritonName());
    }

    private static java.util.List<Long> dims(TensorSpec spec) {
        return java.util.Arrays.stream(spec.dims()).boxed().toList();
    }

    private static ModelParameter parameter(int value) {
        return ModelParameter.newBuilder().setStringValue(Integer.toString(value)).build();
    }
}
