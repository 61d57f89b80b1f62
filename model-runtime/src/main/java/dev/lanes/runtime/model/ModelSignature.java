package dev.lanes.runtime.model;

import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.tensor.Shapes;
import dev.lanes.runtime.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A model version's inputs, outputs and batching limit, and the checks a request must pass against
 * them. Messages name the offending input so clients can fix their request.
 */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs, int maxBatchSize) {
    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public boolean batching() {
        return maxBatchSize > 0;
    }

    public Optional<TensorSpec> input(String name) {
        return inputs.stream().filter(spec -> spec.name().equals(name)).findFirst();
    }

    public Optional<TensorSpec> output(String name) {
        return outputs.stream().filter(spec -> spec.name().equals(name)).findFirst();
    }

    /** The shape a client sees in metadata: the batch dimension shown as -1 where the model batches. */
    public long[] publicShape(TensorSpec spec) {
        return batching() ? Shapes.prepend(-1, spec.dims()) : spec.dims();
    }

    /**
     * Checks one input's name, datatype and shape as soon as they are known, before its data is
     * read or any buffer is allocated for it.
     */
    public TensorSpec checkInput(String name, dev.lanes.runtime.tensor.DataType dataType, long[] shape) {
        TensorSpec spec = input(name).orElseThrow(() -> InferenceException.invalidInput(
                "unexpected inference input '%s' for model; expected %s", name, inputNames()));
        if (spec.dataType() != dataType) {
            throw InferenceException.invalidInput("input '%s' has datatype %s, the model expects %s",
                    name, dataType, spec.dataType());
        }
        int offset = batching() ? 1 : 0;
        if (shape.length != spec.rank() + offset) {
            throw InferenceException.invalidInput("input '%s' has shape %s, the model expects %s",
                    name, Arrays.toString(shape), Arrays.toString(publicShape(spec)));
        }
        if (batching()) {
            if (shape[0] < 1 || shape[0] > maxBatchSize) {
                throw InferenceException.invalidInput(
                        "input '%s' has batch size %d, the model accepts 1 to %d (max_batch_size)",
                        name, shape[0], maxBatchSize);
            }
        }
        for (int d = 0; d < spec.rank(); d++) {
            long expected = spec.dim(d);
            long actual = shape[d + offset];
            if (actual < 0 || (expected >= 0 && expected != actual)) {
                throw InferenceException.invalidInput("input '%s' has shape %s, the model expects %s",
                        name, Arrays.toString(shape), Arrays.toString(publicShape(spec)));
            }
        }
        return spec;
    }

    /**
     * Checks a request whose inputs were not checked one by one (see {@link #order} for the
     * other case) and orders them. Fails without releasing anything: the caller still owns them.
     */
    public CheckedInputs check(List<Tensor> given) {
        for (Tensor tensor : given) {
            checkInput(tensor.name(), tensor.dataType(), tensor.shape());
        }
        return order(given);
    }

    /**
     * Orders inputs that each passed {@link #checkInput} while they were decoded, checking only
     * what needs the whole request: every input given exactly once, and in a batching model all
     * inputs agreeing on the batch size. Fails without releasing anything.
     */
    public CheckedInputs order(List<Tensor> checked) {
        Tensor[] ordered = new Tensor[inputs.size()];
        for (Tensor tensor : checked) {
            int index = indexOf(tensor.name());
            if (ordered[index] != null) {
                throw InferenceException.invalidInput("input '%s' is given more than once", tensor.name());
            }
            ordered[index] = tensor;
        }
        for (int i = 0; i < ordered.length; i++) {
            if (ordered[i] == null) {
                throw InferenceException.invalidInput("expected %d inputs but got %d inputs; missing input '%s'",
                        inputs.size(), checked.size(), inputs.get(i).name());
            }
            if (batching() && ordered[i].dim(0) != ordered[0].dim(0)) {
                throw InferenceException.invalidInput("input '%s' has batch size %d but input '%s' has %d",
                        ordered[i].name(), ordered[i].dim(0), ordered[0].name(), ordered[0].dim(0));
            }
        }
        int rows = batching() && ordered.length > 0 ? Math.toIntExact(ordered[0].dim(0)) : 1;
        return new CheckedInputs(List.of(ordered), rows);
    }

    private int indexOf(String name) {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).name().equals(name)) {
                return i;
            }
        }
        throw InferenceException.invalidInput("unexpected inference input '%s' for model; expected %s",
                name, inputNames());
    }

    /** Checks requested output names; an empty set means every output. */
    public Set<String> checkOutputs(Set<String> requested) {
        for (String name : requested) {
            if (output(name).isEmpty()) {
                throw InferenceException.invalidInput("unexpected inference output '%s' for model; expected %s",
                        name, outputNames());
            }
        }
        return requested;
    }

    public Set<String> inputNames() {
        Set<String> names = new LinkedHashSet<>();
        inputs.forEach(spec -> names.add(spec.name()));
        return names;
    }

    public Set<String> outputNames() {
        Set<String> names = new LinkedHashSet<>();
        outputs.forEach(spec -> names.add(spec.name()));
        return names;
    }
}
