package dev.lanes.runtime.batch;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.model.CheckedInputs;
import dev.lanes.runtime.model.ModelSignature;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Puts one model version's requests into its batcher: checks the requested outputs, works out the
 * request's deadline and batch key, admits it or says why not, and drops it from the queue when
 * its client cancels or its deadline passes while every instance is busy. Thread-safe.
 */
public final class BatchAdmitter {
    private final String model;
    private final long version;
    private final ModelSignature signature;
    private final DynamicBatcher batcher;

    public BatchAdmitter(String model, long version, ModelSignature signature, DynamicBatcher batcher) {
        this.model = model;
        this.version = version;
        this.signature = signature;
        this.batcher = batcher;
    }

    /**
     * Refuses at once when the queue is already full, before the caller reads and decodes the
     * request. Under overload a refusal then costs almost nothing, and the cores go to the
     * requests already admitted instead of to copying bodies that would be refused anyway. The
     * check can race with the workers; admission still enforces the bound exactly.
     *
     * @throws InferenceException OVERLOADED
     */
    public void refuseIfQueueFull() {
        if (batcher.queueLength() >= batcher.policy().maxQueueSize()) {
            throw overloaded();
        }
    }

    /**
     * Runs one request through the batcher without blocking: the future completes on the thread
     * that finishes the request (an instance's worker when its batch ran), so no thread waits for
     * the batch. A request that cannot be admitted (unknown output, queue full, shutting down)
     * fails at once by throwing.
     *
     * <p>Takes ownership of {@code inputs}: they are released whatever happens.
     */
    public CompletableFuture<InferenceResult> submit(CheckedInputs inputs, RequestOptions options) {
        InferenceTask task = admit(inputs, options);
        Runnable stopListening = options.cancellation().onCancel(reason -> batcher.cancelQueued(task, reason));
        // A worker drops expired requests when it forms a batch; while every worker is busy this
        // timer does, so a request never waits in the queue past its deadline.
        ScheduledFuture<?> expiry = task.deadlineNanos() == Long.MAX_VALUE ? null
                : QueueDeadlines.after(task.deadlineNanos() - batcher.ticker().nanos(),
                        () -> batcher.cancelQueued(task, batcher.queueTimeout()));
        return task.future().whenComplete((result, error) -> {
            stopListening.run();
            if (expiry != null) {
                expiry.cancel(false);
            }
        });
    }

    /** As {@link #submit}, blocking its caller (a virtual thread) until the answer is ready. */
    public InferenceResult run(CheckedInputs inputs, RequestOptions options) {
        try {
            return submit(inputs, options).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof InferenceException error
                    ? new InferenceException(error.kind(), error.getMessage(), error) // this caller's stack
                    : new InferenceException(ErrorKind.RUNTIME_FAILURE, "model '" + model + "' failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException(ErrorKind.SHUTTING_DOWN, "request was interrupted", e);
        }
    }

    private InferenceTask admit(CheckedInputs inputs, RequestOptions options) {
        InferenceTask task;
        try {
            signature.checkOutputs(options.outputs());
            BatchKey key = batcher.policy().dynamicBatching() ? BatchKey.of(inputs.tensors()) : BatchKey.unique();
            long now = batcher.ticker().nanos();
            long timeoutNanos = TimeUnit.MICROSECONDS.toNanos(Math.max(0, options.timeoutMicros()));
            long deadline = Math.min(options.clientDeadlineNanos(), batcher.policy().deadline(now, timeoutNanos));
            task = new InferenceTask(inputs.tensors(), options.outputs(), inputs.rows(), key, now, deadline);
        } catch (RuntimeException e) {
            inputs.close();
            throw e;
        }
        Admission admission = batcher.offer(task);
        if (admission != Admission.ACCEPTED) {
            task.releaseInputs();
            throw admission == Admission.QUEUE_FULL ? overloaded()
                    : new InferenceException(ErrorKind.SHUTTING_DOWN, "model '" + model + "' is shutting down");
        }
        return task;
    }

    private InferenceException overloaded() {
        return new InferenceException(ErrorKind.OVERLOADED, "model '" + model + "' version " + version
                + " is overloaded: its queue holds " + batcher.policy().maxQueueSize() + " requests");
    }
}
