package dev.lanes.runtime.batch;

import dev.lanes.runtime.tensor.Tensor;

import java.util.List;

/**
 * The outputs of one request, in the model's output order, each holding only this request's rows.
 * The tensors are views of the batch's output copy and own no pooled buffer.
 *
 * @param batchRows rows in the batch the request ran in
 */
public record InferenceResult(List<Tensor> outputs, int batchRows) {
    public InferenceResult {
        outputs = List.copyOf(outputs);
    }
}
