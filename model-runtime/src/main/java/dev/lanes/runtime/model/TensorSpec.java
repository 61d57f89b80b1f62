package dev.lanes.runtime.model;

import dev.lanes.runtime.tensor.DataType;

import java.util.Arrays;
import java.util.Objects;

/**
 * A model input or output as config.pbtxt states it: for a batching model {@code dims} leave out
 * the batch dimension (Triton's convention); -1 is a dynamic dimension.
 */
public record TensorSpec(String name, DataType dataType, long[] dims) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dataType, "dataType");
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    int rank() {
        return dims.length;
    }

    long dim(int index) {
        return dims[index];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSpec spec && name.equals(spec.name) && dataType == spec.dataType
                && Arrays.equals(dims, spec.dims);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dataType, Arrays.hashCode(dims));
    }

    @Override
    public String toString() {
        return name + ":" + dataType + Arrays.toString(dims);
    }
}
