package dev.lanes.runtime.model;

import dev.lanes.runtime.batch.BatchPolicy;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.config.proto.ModelInput;
import dev.lanes.runtime.config.proto.ModelOutput;
import dev.lanes.runtime.config.proto.ModelQueuePolicy;
import dev.lanes.runtime.tensor.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reconciles what config.pbtxt states with what the ONNX file declares, the way Triton's
 * auto-complete does: config wins where it speaks and must agree with the model; where it is
 * silent the model's own signature fills in, and a model whose every input and output has a
 * dynamic first dimension batches by default.
 */
public final class SignatureResolver {
    /** The signature clients see and the batching policy that goes with it. */
    public record Resolved(ModelSignature signature, BatchPolicy policy) {
    }

    private SignatureResolver() {
    }

    /**
     * @param modelInputs  inputs as ONNX Runtime reports them, full shapes with -1 for dynamic dims
     * @param modelOutputs outputs likewise
     * @throws IllegalArgumentException with a reason for the index when they cannot be reconciled
     */
    public static Resolved resolve(ModelConfig config, List<TensorSpec> modelInputs, List<TensorSpec> modelOutputs,
                                   RuntimeSettings runtime) {
        boolean statesTensors = config.getInputCount() > 0 || config.getOutputCount() > 0;
        boolean batchCapable = canBatch(modelInputs) && canBatch(modelOutputs);
        int maxBatchSize = config.getMaxBatchSize();
        boolean autoBatching = false;
        if (maxBatchSize == 0 && !statesTensors && batchCapable) {
            maxBatchSize = runtime.defaultMaxBatchSize();
            autoBatching = true;
        }
        if (maxBatchSize > 0) {
            requireBatchDimension(modelInputs, maxBatchSize);
            requireBatchDimension(modelOutputs, maxBatchSize);
        }
        List<TensorSpec> inputs = config.getInputCount() > 0
                ? fromConfigInputs(config.getInputList(), modelInputs, maxBatchSize > 0)
                : strip(modelInputs, maxBatchSize > 0);
        List<TensorSpec> outputs = config.getOutputCount() > 0
                ? fromConfigOutputs(config.getOutputList(), modelOutputs, maxBatchSize > 0)
                : strip(modelOutputs, maxBatchSize > 0);
        for (TensorSpec spec : concat(inputs, outputs)) {
            if (!spec.dataType().supportedByOrt()) {
                throw new IllegalArgumentException("tensor '" + spec.name() + "' has datatype " + spec.dataType()
                        + ", which ONNX Runtime's Java API cannot carry");
            }
        }
        return new Resolved(new ModelSignature(inputs, outputs, maxBatchSize),
                policy(config, maxBatchSize, autoBatching, runtime));
    }

    private static BatchPolicy policy(ModelConfig config, int maxBatchSize, boolean autoBatching,
                                      RuntimeSettings runtime) {
        ModelQueuePolicy queue = config.getDynamicBatching().getDefaultQueuePolicy();
        int maxQueueSize = queue.getMaxQueueSize() > 0 ? queue.getMaxQueueSize() : runtime.defaultMaxQueueSize();
        // Checked in microseconds first: the conversion to nanoseconds saturates and would hide a typo.
        long timeout = TimeUnit.MICROSECONDS.toNanos(ConfigBounds.check("default_timeout_microseconds",
                queue.getDefaultTimeoutMicroseconds(), 0, ConfigBounds.MAX_TIMEOUT_MICROS));
        if (autoBatching) {
            return new BatchPolicy(maxBatchSize, true, runtime.defaultMaxQueueDelay().toNanos(), new int[0],
                    maxQueueSize, timeout, queue.getAllowTimeoutOverride());
        }
        if (!config.hasDynamicBatching()) {
            return new BatchPolicy(maxBatchSize, false, 0, new int[0], maxQueueSize, 0, false);
        }
        int[] preferred = config.getDynamicBatching().getPreferredBatchSizeList().stream()
                .mapToInt(Integer::intValue).toArray();
        try {
            return new BatchPolicy(maxBatchSize, true,
                    TimeUnit.MICROSECONDS.toNanos(ConfigBounds.check("max_queue_delay_microseconds",
                            config.getDynamicBatching().getMaxQueueDelayMicroseconds(), 0,
                            ConfigBounds.MAX_QUEUE_DELAY_MICROS)),
                    preferred, maxQueueSize, timeout, queue.getAllowTimeoutOverride());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dynamic_batching: " + e.getMessage(), e);
        }
    }

    private static boolean canBatch(List<TensorSpec> tensors) {
        for (TensorSpec spec : tensors) {
            if (spec.dims().length == 0 || spec.dims()[0] != -1) {
                return false;
            }
        }
        return true;
    }

    private static void requireBatchDimension(List<TensorSpec> tensors, int maxBatchSize) {
        for (TensorSpec spec : tensors) {
            long[] dims = spec.dims();
            if (dims.length == 0 || (dims[0] != -1 && dims[0] < maxBatchSize)) {
                throw new IllegalArgumentException("max_batch_size is " + maxBatchSize + " but model tensor '"
                        + spec.name() + "' has shape " + Arrays.toString(dims)
                        + "; a batching model needs a dynamic first dimension");
            }
        }
    }

    private static List<TensorSpec> strip(List<TensorSpec> tensors, boolean batching) {
        if (!batching) {
            return tensors;
        }
        List<TensorSpec> stripped = new ArrayList<>();
        for (TensorSpec spec : tensors) {
            long[] dims = spec.dims();
            stripped.add(new TensorSpec(spec.name(), spec.dataType(), Arrays.copyOfRange(dims, 1, dims.length)));
        }
        return stripped;
    }

    private static List<TensorSpec> fromConfigInputs(List<ModelInput> configured, List<TensorSpec> model,
                                                     boolean batching) {
        List<TensorSpec> result = new ArrayList<>();
        for (ModelInput input : configured) {
            result.add(reconcile("input", input.getName(), input.getDataType(), input.getDimsList(), model, batching));
        }
        for (TensorSpec spec : model) {
            if (result.stream().noneMatch(r -> r.name().equals(spec.name()))) {
                throw new IllegalArgumentException("model input '" + spec.name() + "' is missing from config.pbtxt");
            }
        }
        return result;
    }

    private static List<TensorSpec> fromConfigOutputs(List<ModelOutput> configured, List<TensorSpec> model,
                                                      boolean batching) {
        List<TensorSpec> result = new ArrayList<>();
        for (ModelOutput output : configured) {
            result.add(reconcile("output", output.getName(), output.getDataType(), output.getDimsList(), model,
                    batching));
        }
        return result;
    }

    private static TensorSpec reconcile(String role, String name, dev.lanes.runtime.config.proto.DataType configType,
                                        List<Long> configDims, List<TensorSpec> model, boolean batching) {
        TensorSpec actual = model.stream().filter(spec -> spec.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("config.pbtxt " + role + " '" + name
                        + "' is not in the model; the model has " + names(model)));
        DataType type = DataType.fromTritonName(configType.name()).orElseThrow(() -> new IllegalArgumentException(
                "config.pbtxt " + role + " '" + name + "' has invalid data_type " + configType));
        if (type != actual.dataType()) {
            throw new IllegalArgumentException("config.pbtxt " + role + " '" + name + "' has data_type "
                    + type.tritonName() + " but the model declares " + actual.dataType().tritonName());
        }
        long[] dims = configDims.stream().mapToLong(Long::longValue).toArray();
        long[] modelDims = actual.dims();
        int offset = batching ? 1 : 0;
        if (modelDims.length != dims.length + offset) {
            throw new IllegalArgumentException("config.pbtxt " + role + " '" + name + "' has dims "
                    + Arrays.toString(dims) + (batching ? " plus the batch dimension" : "")
                    + " but the model declares shape " + Arrays.toString(modelDims));
        }
        for (int d = 0; d < dims.length; d++) {
            long modelDim = modelDims[d + offset];
            if (dims[d] < -1 || (modelDim >= 0 && dims[d] != modelDim)) {
                throw new IllegalArgumentException("config.pbtxt " + role + " '" + name + "' has dims "
                        + Arrays.toString(dims) + " but the model declares shape " + Arrays.toString(modelDims));
            }
        }
        return new TensorSpec(name, type, dims);
    }

    private static List<String> names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).toList();
    }

    private static List<TensorSpec> concat(List<TensorSpec> a, List<TensorSpec> b) {
        List<TensorSpec> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
