package dev.lanes.runtime.model;

import dev.lanes.runtime.tensor.Tensor;

import java.util.List;

/**
 * A request's inputs once they have passed the signature's checks, in signature order: the only
 * form the batcher admits, so nothing downstream checks them again. Made by
 * {@link ModelSignature#order} or {@link ModelSignature#check}. Owns its tensors until they are
 * handed on; {@link #close()} releases them.
 */
public final class CheckedInputs implements AutoCloseable {
    private final List<Tensor> tensors;
    private final int rows;

    CheckedInputs(List<Tensor> tensors, int rows) {
        this.tensors = List.copyOf(tensors);
        this.rows = rows;
    }

    /** The tensors in signature order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** Batch rows the request carries: its dim 0 where the model batches, else 1. */
    public int rows() {
        return rows;
    }

    @Override
    public void close() {
        tensors.forEach(Tensor::close);
    }
}
