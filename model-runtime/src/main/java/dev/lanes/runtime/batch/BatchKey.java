package dev.lanes.runtime.batch;

import dev.lanes.runtime.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * What two requests must share to run in one batch: every input's non-batch dimensions. Requests
 * with different keys never share a batch. Unbatched models give each request a unique key.
 */
public final class BatchKey {
    private final long[] dims;
    private final int hash;

    private BatchKey(long[] dims) {
        this.dims = dims;
        this.hash = Arrays.hashCode(dims);
    }

    /** Key over dims 1..n of every input, in the given (signature) order. */
    public static BatchKey of(List<Tensor> inputs) {
        int length = 0;
        for (Tensor input : inputs) {
            length += input.rank();
        }
        long[] dims = new long[length];
        int index = 0;
        for (Tensor input : inputs) {
            dims[index++] = -1 - input.rank(); // separator that also encodes the rank
            for (int d = 1; d < input.rank(); d++) {
                dims[index++] = input.dim(d);
            }
        }
        return new BatchKey(dims);
    }

    /** A key equal to nothing else, for requests that must run alone. */
    public static BatchKey unique() {
        return new BatchKey(null);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        return other instanceof BatchKey key && dims != null && key.dims != null && Arrays.equals(dims, key.dims);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
