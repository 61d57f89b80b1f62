package dev.lanes.runtime.repository;

import dev.lanes.runtime.batch.BatchAdmitter;
import dev.lanes.runtime.batch.BatchPolicy;
import dev.lanes.runtime.batch.Cancellation;
import dev.lanes.runtime.batch.DynamicBatcher;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.batch.RequestOptions;
import dev.lanes.runtime.model.CheckedInputs;
import dev.lanes.runtime.model.ModelSettings;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.ort.ExecutionProvider;
import dev.lanes.runtime.ort.OrtInstance;
import dev.lanes.runtime.stats.VersionStatistics;
import dev.lanes.runtime.tensor.Tensor;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A loaded, servable model version and its lifecycle: its signature, its batcher and execution
 * instances, the requests holding it, and retiring and closing it once they are done. Requests
 * enter through its {@link #admitter()}. Thread-safe.
 */
public final class ModelVersion implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelVersion.class.getName());

    private final String model;
    private final long version;
    private final ModelSettings settings;
    private final ModelSignature signature;
    private final ExecutionProvider provider;
    private final DynamicBatcher batcher;
    private final BatchAdmitter admitter;
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
        this.admitter = new BatchAdmitter(model, version, signature, batcher);
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

    /** Where this version's requests enter its batch queue. */
    public BatchAdmitter admitter() {
        return admitter;
    }

    /**
     * Runs one request of tensors that were not checked as they were decoded (tests and tools;
     * the protocols check while decoding and go through {@link #admitter()}), waiting for its
     * own rows of the outputs. Takes ownership of {@code inputs}: they are released whatever
     * happens.
     *
     * @param requestedOutputs outputs to return, empty for all
     * @param timeoutMicros    the request's own queue timeout, 0 for the model's default
     *                         (see {@link BatchPolicy#deadline})
     */
    public InferenceResult infer(List<Tensor> inputs, Set<String> requestedOutputs, long timeoutMicros) {
        CheckedInputs checked;
        try {
            checked = signature.check(inputs);
        } catch (RuntimeException e) {
            inputs.forEach(Tensor::close);
            throw e;
        }
        return admitter.run(checked, new RequestOptions(requestedOutputs, timeoutMicros, Long.MAX_VALUE,
                Cancellation.NONE));
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

    /**
     * Drains the queue, stops the workers and closes the ORT sessions; a session whose worker is
     * still inside a batch after 30 s closes when that batch ends, never under it.
     */
    @Override
    public void close() {
        if (batcher.close(Duration.ofSeconds(30))) {
            closeInstances();
            return;
        }
        // Closing a session under a worker still in session.run frees native memory it uses: a
        // crash of the whole node. The sessions close once the last worker has left its batch.
        LOG.warning(() -> "model " + model + " version " + version
                + ": its sessions close when the running batch ends");
        Thread.ofVirtual().name("close-" + model + "-" + version).start(() -> {
            try {
                while (!batcher.awaitTermination(Duration.ofMinutes(1))) {
                    LOG.warning(() -> "model " + model + " version " + version + ": a batch is still running");
                }
                closeInstances();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void closeInstances() {
        for (OrtInstance instance : instances) {
            try {
                instance.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing an instance of " + model + " failed", e);
            }
        }
    }
}
