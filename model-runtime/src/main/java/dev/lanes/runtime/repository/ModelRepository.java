package dev.lanes.runtime.repository;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.Ticker;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.stats.StatsFactory;
import dev.lanes.runtime.tensor.DirectBufferPool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The registry of the models this node serves, from a Triton-layout repository on disk
 * ({@link RepositoryLayout}): which version answers a request, leases that let a reload or unload
 * replace a version while requests finish on it, and loading, reloading and unloading. A model
 * that fails to load is reported in the index with its reason and never stops the others.
 * Thread-safe; lookups take no lock.
 */
public final class ModelRepository implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());
    private static final int MAX_ACQUIRE_ATTEMPTS = 8;

    private final RepositoryLayout layout;
    private final DirectBufferPool pool;
    private final ModelMeters meters;
    private final ModelLoader loader;
    private final Map<String, Model> models = new ConcurrentHashMap<>();
    /** Names unloaded through the API, for the index's reason. */
    private final Set<String> unloaded = ConcurrentHashMap.newKeySet();
    /**
     * Serialises loads and unloads; never held across inference. A lock, not a monitor: a load
     * takes seconds, and virtual threads waiting on a monitor pin their carrier on JDK 21.
     */
    private final ReentrantLock changes = new ReentrantLock();
    /** Told after every change of what serves (readiness may follow: gRPC health, say). */
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean loaded;

    public ModelRepository(Path root, RuntimeSettings runtime, StatsFactory statsFactory) {
        this.layout = new RepositoryLayout(root);
        this.pool = new DirectBufferPool(runtime.bufferPoolBytes());
        this.meters = new ModelMeters(statsFactory);
        this.loader = new ModelLoader(layout, runtime, pool, meters, Ticker.system());
    }

    public Path root() {
        return layout.root();
    }

    /** The pool request decoders lease input buffers from; batch assembly returns them here. */
    public DirectBufferPool bufferPool() {
        return pool;
    }

    /** Loads every model directory under the root (control modes none and poll). Call once. */
    public void loadAll() throws IOException {
        for (Path directory : modelDirectories()) {
            serve(loader.loadModel(directory, Optional.empty()));
        }
        loaded = true;
        changed();
    }

    /**
     * Loads only the named models (control mode explicit: the rest wait for the load API).
     * Call once, instead of {@link #loadAll}.
     *
     * @throws InferenceException when one of them does not load
     */
    public void loadOnly(List<String> names) throws IOException {
        layout.requireRootDirectory();
        for (String name : names) {
            load(name, Optional.empty());
        }
        loaded = true;
        changed();
    }

    /** The model directories under the root, by name. */
    public List<Path> modelDirectories() throws IOException {
        return layout.modelDirectories();
    }

    /** Whether loading finished and every model and version is ready. */
    public boolean allReady() {
        return loaded && models.values().stream().allMatch(Model::isReady);
    }

    public boolean loaded() {
        return loaded;
    }

    public Optional<Model> model(String name) {
        return Optional.ofNullable(models.get(name));
    }

    /** The loaded models, by name: a snapshot, unaffected by later loads and unloads. */
    public List<Model> models() {
        return List.copyOf(new TreeMap<>(models).values());
    }

    /**
     * Every model's rows, sorted by model name then version; a directory that is not loaded (never,
     * or unloaded) is one UNAVAILABLE row, as in Triton's index, so clients see what they can load.
     */
    public List<IndexEntry> index() {
        Map<String, List<IndexEntry>> rows = new TreeMap<>();
        try {
            for (Path directory : modelDirectories()) {
                String name = directory.getFileName().toString();
                rows.put(name, List.of(new IndexEntry(name, "", ModelState.UNAVAILABLE,
                        unloaded.contains(name) ? "unloaded" : "not loaded", "")));
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list the model repository " + root() + ": " + e.getMessage());
        }
        models.values().forEach(model -> rows.put(model.name(), model.index()));
        List<IndexEntry> entries = new ArrayList<>();
        rows.values().forEach(entries::addAll);
        return entries;
    }

    /**
     * Resolves like {@link #resolve} and holds the version until the lease closes, so a reload or
     * unload that replaces it meanwhile lets the request finish on it.
     */
    public VersionLease acquire(String name, OptionalLong version) {
        for (int attempt = 0; attempt < MAX_ACQUIRE_ATTEMPTS; attempt++) {
            ModelVersion resolved = resolve(name, version);
            if (resolved.tryAcquire()) {
                return new VersionLease(resolved);
            }
            // Retired between lookup and acquire: the map already holds its successor (or nothing).
        }
        throw new InferenceException(ErrorKind.MODEL_NOT_READY, "model '" + name + "' is being replaced; retry");
    }

    /**
     * Loads (or reloads) one model from its directory. The new versions load and warm while the
     * current ones keep serving; the switch is one map write; the replaced versions close once
     * the requests holding them finish. When any version fails, the model keeps serving what it
     * served and the reason is thrown.
     *
     * @return a future that completes when the replaced versions have closed
     * @throws InferenceException INVALID_INPUT for a bad name or a failed load, MODEL_NOT_FOUND
     *                            when the repository has no such directory
     */
    public CompletableFuture<Void> load(String name, Optional<ModelConfig> override) {
        Path directory = layout.modelDirectory(name);
        changes.lock();
        try {
            Model candidate = loader.loadModel(directory, override);
            if (!candidate.isReady()) {
                candidate.close();
                IndexEntry failed = candidate.index().stream().filter(entry -> entry.state() != ModelState.READY)
                        .findFirst().orElse(new IndexEntry(name, "", ModelState.UNAVAILABLE, "no version is ready", ""));
                throw InferenceException.invalidInput("failed to load '%s'%s: %s", name,
                        failed.version().isEmpty() ? "" : " version " + failed.version(), failed.reason());
            }
            Model current = serve(candidate);
            unloaded.remove(name);
            changed();
            return current == null ? CompletableFuture.completedFuture(null) : current.retire();
        } finally {
            changes.unlock();
        }
    }

    /**
     * Runs {@code listener} after every load, reload and unload, and once loading at start is
     * done, on the thread that made the change. It must be quick and must not call back into
     * loading or unloading.
     */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    private void changed() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a repository change listener failed", e);
            }
        }
    }

    /** Makes {@code model} the one serving under its name; returns the one it replaced, if any. */
    private Model serve(Model model) {
        Model replaced = models.put(model.name(), model);
        meters.serving(model);
        return replaced;
    }

    /**
     * Takes a model out of service: new requests get MODEL_NOT_FOUND at once, requests already
     * holding one of its versions finish, then its sessions close.
     *
     * @return a future that completes when its versions have closed
     */
    public CompletableFuture<Void> unload(String name) {
        ModelNames.validate(name);
        changes.lock();
        try {
            Model current = models.remove(name);
            if (current == null) {
                throw InferenceException.unknownModel(name);
            }
            unloaded.add(name);
            changed();
            LOG.info(() -> "model " + name + " unloaded; its versions close once their admitted requests finish");
            return current.retire();
        } finally {
            changes.unlock();
        }
    }

    /**
     * The version a request addresses: the given one, or the newest ready one.
     *
     * @throws InferenceException MODEL_NOT_FOUND for unknown models or versions, MODEL_NOT_READY
     *                            for a known one that is not serving
     */
    public ModelVersion resolve(String name, OptionalLong version) {
        Model model = models.get(name);
        if (model == null) {
            throw InferenceException.unknownModel(name);
        }
        if (version.isEmpty()) {
            return model.latest().orElseThrow(() -> notReady(model, "has no ready version"));
        }
        long wanted = version.getAsLong();
        return model.version(wanted).orElseThrow(() -> model.knowsVersion(wanted)
                ? notReady(model, "version " + wanted + " is not ready")
                : InferenceException.unknownVersion(name, wanted));
    }

    private static InferenceException notReady(Model model, String what) {
        return new InferenceException(ErrorKind.MODEL_NOT_READY, "model '" + model.name() + "' " + what
                + model.failureReason().map(reason -> ": " + reason).orElse(""));
    }

    /** Stops admitting new requests on every model; queued ones still run. */
    public void shutdown() {
        models.values().forEach(Model::shutdown);
    }

    @Override
    public void close() {
        models.values().forEach(Model::close);
        models.clear();
    }
}
