package dev.lanes.runtime.batch;

import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.tensor.Tensor;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One admitted request: its inputs, its size in batch rows, when it arrived, when it expires and
 * the future its caller waits on.
 *
 * <p>The task owns its input tensors from admission on and releases them once, after its batch
 * ran or when it fails; its future completes exactly once (later attempts are no-ops).
 */
public final class InferenceTask {
    private final List<Tensor> inputs;
    private final Set<String> requestedOutputs;
    private final int rows;
    private final BatchKey batchKey;
    private final long enqueuedNanos;
    private final long deadlineNanos;
    private final CompletableFuture<InferenceResult> future = new CompletableFuture<>();
    private boolean released;

    /**
     * @param requestedOutputs outputs to return, or empty for all of them
     * @param rows             batch rows this request carries (1 when the model does not batch)
     */
    public InferenceTask(List<Tensor> inputs, Set<String> requestedOutputs, int rows, BatchKey batchKey,
                         long enqueuedNanos, long deadlineNanos) {
        this.inputs = List.copyOf(inputs);
        this.requestedOutputs = Set.copyOf(requestedOutputs);
        this.rows = rows;
        this.batchKey = batchKey;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    public List<Tensor> inputs() {
        return inputs;
    }

    public Set<String> requestedOutputs() {
        return requestedOutputs;
    }

    public int rows() {
        return rows;
    }

    public BatchKey batchKey() {
        return batchKey;
    }

    public long enqueuedNanos() {
        return enqueuedNanos;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    public boolean expiredAt(long nowNanos) {
        return nowNanos >= deadlineNanos;
    }

    public CompletableFuture<InferenceResult> future() {
        return future;
    }

    public void complete(InferenceResult result) {
        releaseInputs();
        future.complete(result);
    }

    public void fail(InferenceException error) {
        releaseInputs();
        future.completeExceptionally(error);
    }

    /** Returns pooled input buffers; safe to call more than once. Batch workers call it. */
    public synchronized void releaseInputs() {
        if (!released) {
            released = true;
            inputs.forEach(Tensor::close);
        }
    }
}
