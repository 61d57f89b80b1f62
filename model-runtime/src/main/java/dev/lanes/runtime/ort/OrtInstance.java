package dev.lanes.runtime.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.BatchExecutor;
import dev.lanes.runtime.batch.BatchPhases;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.batch.InferenceTask;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.BytesElements;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.runtime.tensor.Shapes;
import dev.lanes.runtime.tensor.Tensor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One execution instance: an ORT session and the code that runs a batch on it. Inputs of a
 * single-request batch go to ORT as they are; several requests are concatenated along dim 0 into
 * one pooled direct buffer. ORT's output copy is sliced back per request without further copies.
 *
 * <p>Used by one batch worker thread at a time. Longer than most classes because assembly, run
 * and scatter share the lifetime of the native tensors and must release them in one place.
 */
public final class OrtInstance implements BatchExecutor, AutoCloseable {
    private final String name;
    private final OrtSession session;
    private final ExecutionProvider provider;
    private final ModelSignature signature;
    private final DirectBufferPool pool;
    private final OrtEnvironment environment = OrtSessions.environment();

    public OrtInstance(String name, OrtSession session, ExecutionProvider provider, ModelSignature signature,
                       DirectBufferPool pool) {
        this.name = name;
        this.session = session;
        this.provider = provider;
        this.signature = signature;
        this.pool = pool;
    }

    public ExecutionProvider provider() {
        return provider;
    }

    @Override
    public List<InferenceResult> execute(List<InferenceTask> batch, BatchPhases phases) {
        try {
            return run(batch, phases);
        } catch (OrtException | RuntimeException e) {
            // Thrown, not handed to the tasks here: the batcher fails the batch and leaves it out of
            // the executed-batch counts, so /metrics and Triton's execution_count agree.
            throw e instanceof InferenceException ie ? ie
                    : new InferenceException(ErrorKind.RUNTIME_FAILURE,
                    "ONNX Runtime failed on model '" + name + "': " + e.getMessage(), e);
        }
    }

    private List<InferenceResult> run(List<InferenceTask> batch, BatchPhases phases) throws OrtException {
        int rows = 0;
        for (InferenceTask task : batch) {
            rows += task.rows();
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        List<ByteBuffer> leased = new ArrayList<>();
        try {
            for (int i = 0; i < signature.inputs().size(); i++) {
                TensorSpec spec = signature.inputs().get(i);
                inputs.put(spec.name(), assemble(spec, i, batch, rows, leased));
            }
            Set<String> wanted = wantedOutputs(batch);
            phases.assembled();
            try (OrtSession.Result result = session.run(inputs, wanted)) {
                phases.ran();
                return scatter(batch, rows, result);
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            leased.forEach(pool::release);
        }
    }

    private OnnxTensor assemble(TensorSpec spec, int index, List<InferenceTask> batch, int rows,
                                List<ByteBuffer> leased) throws OrtException {
        Tensor first = batch.get(0).inputs().get(index);
        long[] shape = batch.size() == 1 ? first.shape() : Shapes.withFirstDim(rows, first.shape());
        if (spec.dataType() == DataType.BYTES) {
            String[] values = new String[Math.toIntExact(Shapes.elementCount(shape))];
            int offset = 0;
            for (InferenceTask task : batch) {
                Tensor tensor = task.inputs().get(index);
                BytesElements.toStrings(tensor.data(), values, offset);
                offset += (int) tensor.elementCount();
            }
            return OnnxTensor.createTensor(environment, values, shape);
        }
        ByteBuffer data;
        if (batch.size() == 1) {
            data = first.data();
        } else {
            data = BatchTensors.concatenate(batch, index, pool);
            leased.add(data);
        }
        return OnnxTensor.createTensor(environment, data, shape, spec.dataType().ortType());
    }

    private Set<String> wantedOutputs(List<InferenceTask> batch) {
        Set<String> wanted = new LinkedHashSet<>();
        for (InferenceTask task : batch) {
            if (task.requestedOutputs().isEmpty()) {
                return signature.outputNames();
            }
            wanted.addAll(task.requestedOutputs());
        }
        return wanted;
    }

    private List<InferenceResult> scatter(List<InferenceTask> batch, int rows, OrtSession.Result result)
            throws OrtException {
        List<List<Tensor>> perTask = new ArrayList<>(batch.size());
        for (int t = 0; t < batch.size(); t++) {
            perTask.add(new ArrayList<>());
        }
        for (TensorSpec spec : signature.outputs()) {
            Optional<OnnxValue> value = result.get(spec.name());
            if (value.isEmpty()) {
                continue;
            }
            OnnxTensor tensor = (OnnxTensor) value.get();
            long[] shape = tensor.getInfo().getShape();
            if (signature.batching() && (shape.length == 0 || shape[0] != rows)) {
                throw new InferenceException(ErrorKind.RUNTIME_FAILURE, "model '" + name + "' output '"
                        + spec.name() + "' has first dimension " + (shape.length == 0 ? "none" : shape[0])
                        + " for a batch of " + rows + " rows");
            }
            slice(spec, tensor, shape, batch, perTask);
        }
        List<InferenceResult> results = new ArrayList<>(batch.size());
        for (int t = 0; t < batch.size(); t++) {
            results.add(new InferenceResult(perTask.get(t), rows));
        }
        return results;
    }

    private void slice(TensorSpec spec, OnnxTensor tensor, long[] shape, List<InferenceTask> batch,
                       List<List<Tensor>> perTask) throws OrtException {
        if (batch.size() == 1) {
            InferenceTask task = batch.get(0);
            if (wants(task, spec.name())) {
                perTask.get(0).add(Tensor.of(spec.name(), spec.dataType(), shape, outputData(spec, tensor)));
            }
            return;
        }
        long perRowElements = Shapes.elementCount(shape) / shape[0];
        if (spec.dataType() == DataType.BYTES) {
            sliceBytes(spec, flatStrings(tensor), shape, perRowElements, batch, perTask);
            return;
        }
        BatchTensors.sliceRows(spec, tensor.getByteBuffer(), shape, perRowElements, batch, perTask);
    }

    private void sliceBytes(TensorSpec spec, String[] values, long[] shape, long perRowElements,
                            List<InferenceTask> batch, List<List<Tensor>> perTask) {
        int offset = 0;
        for (int t = 0; t < batch.size(); t++) {
            InferenceTask task = batch.get(t);
            int count = Math.toIntExact(task.rows() * perRowElements);
            if (wants(task, spec.name())) {
                perTask.get(t).add(Tensor.of(spec.name(), spec.dataType(), Shapes.withFirstDim(task.rows(), shape),
                        BytesElements.fromStrings(values, offset, offset + count)));
            }
            offset += count;
        }
    }

    static boolean wants(InferenceTask task, String output) {
        return task.requestedOutputs().isEmpty() || task.requestedOutputs().contains(output);
    }

    private static ByteBuffer outputData(TensorSpec spec, OnnxTensor tensor) throws OrtException {
        if (spec.dataType() == DataType.BYTES) {
            String[] values = flatStrings(tensor);
            return BytesElements.fromStrings(values, 0, values.length);
        }
        return tensor.getByteBuffer();
    }

    /** ORT returns string tensors as nested Java arrays; flatten them in row-major order. */
    static String[] flatStrings(OnnxTensor tensor) throws OrtException {
        Object value = tensor.getValue();
        if (value instanceof String single) {
            return new String[]{single};
        }
        List<String> flat = new ArrayList<>();
        flatten(value, flat);
        return flat.toArray(String[]::new);
    }

    private static void flatten(Object value, List<String> into) {
        if (value instanceof String[] strings) {
            into.addAll(List.of(strings));
        } else if (value instanceof Object[] nested) {
            for (Object element : nested) {
                flatten(element, into);
            }
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
