package dev.lanes.runtime.repository;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.Admission;
import dev.lanes.runtime.batch.BatchKey;
import dev.lanes.runtime.batch.BatchPolicy;
import dev.lanes.runtime.batch.Cancellation;
import dev.lanes.runtime.batch.DynamicBatcher;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.batch.InferenceTask;
import dev.lanes.runtime.batch.QueueDeadlines;
import dev.lanes.runtime.model.ModelSettings;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.ort.ExecutionProvider;
import dev.lanes.runtime.ort.OrtInstance;
import dev.lanes.runtime.stats.VersionStatistics;
import dev.lanes.runtime.tensor.Tensor;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A loaded, servable model version: its signature, its batcher and its execution instances.
 * Thread-safe; {@link #infer} blocks its caller (a virtual thread) until the answer is ready,
 * {@link #inferAsync} returns at once.
 */
public final class ModelVersion implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelVersion.class.getName());

    private final String model;
    private final long version;
    private final ModelSettings settings;
    private final ModelSignature signature;
    private final ExecutionProvider provider;
    private final DynamicBatcher batcher;
    private final List<OrtInstance> instances;
    private final VersionStatistics statistics;
    /** Requests between {@link #tryAcquire} and {@link #release}: they may still admit work. */
    private final AtomicInteger users = new AtomicInteger();
    private final CompletableFuture<Void> unused = new CompletableFuture<>();
    private volatile boolean retired;

    ModelVersion(String model, long version, ModelSettings settings, ModelSignature signature,
                 ExecutionProvider provider, DynamicBatcher batcher, List<OrtInstance> instances,
                 VersionStatistics statistics) {
        this.model = model;
        this.version = version;
        this.settings = settings;
        this.signature = signature;
        this.provider = provider;
        this.batcher = batcher;
        this.instances = List.copyOf(instances);
        this.statistics = statistics;
    }

    /** Triton's statistics for this version (the statistics extension). */
    public VersionStatistics statistics() {
        return statistics;
    }

    public String model() {
        return model;
    }

    public long version() {
        return version;
    }

    public ModelSettings settings() {
        return settings;
    }

    public ModelSignature signature() {
        return signature;
    }

    public ExecutionProvider provider() {
        return provider;
    }

    public BatchPolicy policy() {
        return batcher.policy();
    }

    public int instanceCount() {
        return instances.size();
    }

    /** The configuration this version runs with, config.pbtxt completed with what Lanes filled in. */
    public dev.lanes.runtime.config.proto.ModelConfig effectiveConfig() {
        return EffectiveConfig.of(model, settings, signature, batcher.policy(), provider, instances.size());
    }

    public int queueLength() {
        return batcher.queueLength();
    }

    public int executingRequests() {
        return batcher.executingRequests();
    }

    /**
     * Refuses at once when the queue is already full, before the caller reads and decodes the
     * request. Under overload a refusal then costs almost nothing, and the cores go to the
     * requests already admitted instead of to copying bodies that would be refused anyway. The
     * check can race with the workers; admission still enforces the bound exactly.
     *
     * @throws InferenceException OVERLOADED, counted as a failed request in the statistics
     */
    public void refuseIfQueueFull() {
        if (batcher.queueLength() >= batcher.policy().maxQueueSize()) {
            statistics.failed(0);
            throw overloaded();
        }
    }

    private InferenceException overloaded() {
        return new InferenceException(ErrorKind.OVERLOADED, "model '" + model + "' version " + version
                + " is overloaded: its queue holds " + batcher.policy().maxQueueSize() + " requests");
    }

    /**
     * Runs one request through the batcher and waits for its own rows of the outputs.
     *
     * <p>Takes ownership of {@code inputs}: they are released whatever happens.
     *
     * @param requestedOutputs outputs to return, empty for all
     * @param timeoutMicros    the request's own queue timeout, 0 for none (see {@link BatchPolicy#deadline})
     * @throws InferenceException for invalid input, overload, shutdown, timeout or a runtime failure
     */
    public InferenceResult infer(List<Tensor> inputs, Set<String> requestedOutputs, long timeoutMicros) {
        return infer(inputs, requestedOutputs, timeoutMicros, Long.MAX_VALUE, Cancellation.NONE);
    }

    /**
     * As {@link #infer(List, Set, long)}, with a deadline the client itself set (a gRPC deadline,
     * in {@link System#nanoTime()} terms) and the client's cancellation: unlike the timeout
     * parameter the deadline always applies, and a request still queued when it passes or when
     * the client cancels is dropped before it runs. Blocks its caller (a virtual thread).
     */
    public InferenceResult infer(List<Tensor> inputs, Set<String> requestedOutputs, long timeoutMicros,
                                 long clientDeadlineNanos, Cancellation cancellation) {
        try {
            return inferAsync(inputs, requestedOutputs, timeoutMicros, clientDeadlineNanos, cancellation).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof InferenceException error
                    ? new InferenceException(error.kind(), error.getMessage(), error) // this caller's stack
                    : new InferenceException(ErrorKind.RUNTIME_FAILURE, "model '" + model + "' failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException(ErrorKind.SHUTTING_DOWN, "request was interrupted", e);
        }
    }

    /**
     * As {@link #infer(List, Set, long, long, Cancellation)} without blocking: the future completes
     * on the thread that finishes the request (an instance's worker when its batch ran), so no
     * thread waits for the batch. Requests that cannot be admitted (invalid input, queue full,
     * shutting down) fail at once by throwing {@link InferenceException}.
     *
     * <p>Takes ownership of {@code inputs}: they are released whatever happens.
     */
    public CompletableFuture<InferenceResult> inferAsync(List<Tensor> inputs, Set<String> requestedOutputs,
                                                         long timeoutMicros, long clientDeadlineNanos,
                                                         Cancellation cancellation) {
        long start = System.nanoTime();
        InferenceTask task;
        try {
            task = admit(inputs, requestedOutputs, timeoutMicros, clientDeadlineNanos);
        } catch (RuntimeException e) {
            statistics.failed(System.nanoTime() - start);
            throw e;
        }
        Runnable stopListening = cancellation.onCancel(reason -> batcher.cancelQueued(task, reason));
        // A worker drops expired requests when it forms a batch; while every worker is busy this
        // timer does, so a request never waits in the queue past its deadline.
        ScheduledFuture<?> expiry = task.deadlineNanos() == Long.MAX_VALUE ? null
                : QueueDeadlines.after(task.deadlineNanos() - batcher.ticker().nanos(), () -> batcher.cancelQueued(task,
                        batcher.queueTimeout()));
        return task.future().whenComplete((result, error) -> {
            stopListening.run();
            if (expiry != null) {
                expiry.cancel(false);
            }
            if (error == null) {
                statistics.succeeded(System.nanoTime() - start);
            } else {
                statistics.failed(System.nanoTime() - start);
            }
        });
    }

    private InferenceTask admit(List<Tensor> inputs, Set<String> requestedOutputs, long timeoutMicros,
                                long clientDeadlineNanos) {
        InferenceTask task;
        try {
            List<Tensor> ordered = signature.orderInputs(inputs);
            signature.checkOutputs(requestedOutputs);
            int rows = signature.batching() ? Math.toIntExact(ordered.get(0).dim(0)) : 1;
            BatchKey key = batcher.policy().dynamicBatching() ? BatchKey.of(ordered) : BatchKey.unique();
            long now = batcher.ticker().nanos();
            long deadline = Math.min(clientDeadlineNanos,
                    batcher.policy().deadline(now, TimeUnit.MICROSECONDS.toNanos(Math.max(0, timeoutMicros))));
            task = new InferenceTask(ordered, requestedOutputs, rows, key, now, deadline);
        } catch (RuntimeException e) {
            inputs.forEach(Tensor::close);
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

    /**
     * Registers a request that is about to use this version; false once the version is retired
     * (replaced or unloaded), when the caller must resolve again. Pair with {@link #release}.
     */
    boolean tryAcquire() {
        users.incrementAndGet();
        if (retired) {
            release();
            return false;
        }
        return true;
    }

    void release() {
        // Checked after the decrement: a retire() that saw users > 0 relies on this check.
        if (users.decrementAndGet() == 0 && retired) {
            unused.complete(null);
        }
    }

    /**
     * Takes the version out of service once its last user has released it: resolve() no longer
     * returns it (the caller swapped it out first), requests already holding it finish, then
     * the queue drains and the sessions close. Returns when it is closed.
     */
    CompletableFuture<Void> retire() {
        retired = true;
        if (users.get() == 0) {
            unused.complete(null);
        }
        return unused.thenRunAsync(this::close,
                command -> Thread.ofVirtual().name("retire-" + model + "-" + version).start(command));
    }

    /** Stops admitting; queued requests still run. */
    public void shutdown() {
        batcher.shutdown();
    }

    /** Drains the queue, stops the workers and closes the ORT sessions. */
    @Override
    public void close() {
        batcher.close();
        for (OrtInstance instance : instances) {
            try {
                instance.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing an instance of " + model + " failed", e);
            }
        }
    }
}
