package dev.lanes.runtime.repository;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.Ticker;
import dev.lanes.runtime.config.ModelConfigParser;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.model.ModelSettings;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.stats.LoadView;
import dev.lanes.runtime.stats.ModelStats;
import dev.lanes.runtime.stats.StatsFactory;
import dev.lanes.runtime.tensor.DirectBufferPool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A Triton-layout model repository on disk: {@code <root>/<model>/[config.pbtxt]} and
 * {@code <root>/<model>/<version>/model.onnx}. Loads every model; a model that fails is reported
 * in the index with its reason and never stops the others. Thread-safe for lookups.
 */
public final class ModelRepository implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());
    private static final String CONFIG_FILE = "config.pbtxt";
    private static final int MAX_ACQUIRE_ATTEMPTS = 8;

    private final Path root;
    private final RuntimeSettings runtime;
    private final StatsFactory statsFactory;
    private final DirectBufferPool pool;
    private final ModelLoader loader;
    private final Map<String, Model> models = new ConcurrentHashMap<>();
    /** One stats sink per model name, kept across reloads: meters register once per name. */
    private final Map<String, ModelMeters> meters = new ConcurrentHashMap<>();
    /** Names unloaded through the API, for the index's reason. */
    private final Set<String> unloaded = ConcurrentHashMap.newKeySet();
    /** Serialises loads and unloads; never held across inference. */
    private final Object changes = new Object();
    private volatile boolean loaded;

    public ModelRepository(Path root, RuntimeSettings runtime, StatsFactory statsFactory) {
        this.root = root.toAbsolutePath().normalize();
        this.runtime = runtime;
        this.statsFactory = statsFactory;
        this.pool = new DirectBufferPool(runtime.bufferPoolBytes());
        this.loader = new ModelLoader(runtime, pool, Ticker.system());
    }

    public Path root() {
        return root;
    }

    /** The pool request decoders lease input buffers from; batch assembly returns them here. */
    public DirectBufferPool bufferPool() {
        return pool;
    }

    /** Loads every model directory under the root (control modes none and poll). Call once. */
    public void loadAll() throws IOException {
        for (Path directory : modelDirectories()) {
            Model model = loadModel(directory, Optional.empty());
            models.put(model.name(), model);
        }
        loaded = true;
    }

    /**
     * Loads only the named models (control mode explicit: the rest wait for the load API).
     * Call once, instead of {@link #loadAll}.
     *
     * @throws InferenceException when one of them does not load
     */
    public void loadOnly(List<String> names) throws IOException {
        requireRootDirectory();
        for (String name : names) {
            load(name, Optional.empty());
        }
        loaded = true;
    }

    private void requireRootDirectory() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("model repository " + root + " is not a directory");
        }
    }

    /** The model directories under the root, by name. */
    public List<Path> modelDirectories() throws IOException {
        requireRootDirectory();
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Files::isDirectory)
                    .filter(dir -> !dir.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        }
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
            LOG.log(Level.WARNING, "cannot list the model repository " + root + ": " + e.getMessage());
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
        ModelNames.validate(name);
        Path directory = root.resolve(name);
        if (!directory.normalize().startsWith(root.normalize()) || !Files.isDirectory(directory)) {
            throw InferenceException.unknownModel(name);
        }
        synchronized (changes) {
            Model candidate = loadModel(directory, override);
            Model current = models.get(name);
            if (!candidate.isReady()) {
                candidate.close();
                IndexEntry failed = candidate.index().stream().filter(entry -> entry.state() != ModelState.READY)
                        .findFirst().orElse(new IndexEntry(name, "", ModelState.UNAVAILABLE, "no version is ready", ""));
                throw InferenceException.invalidInput("failed to load '%s'%s: %s", name,
                        failed.version().isEmpty() ? "" : " version " + failed.version(), failed.reason());
            }
            models.put(name, candidate);
            unloaded.remove(name);
            meters.get(name).holder().target = candidate;
            return current == null ? CompletableFuture.completedFuture(null) : current.retire();
        }
    }

    /**
     * Takes a model out of service: new requests get MODEL_NOT_FOUND at once, requests already
     * holding one of its versions finish, then its sessions close.
     *
     * @return a future that completes when its versions have closed
     */
    public CompletableFuture<Void> unload(String name) {
        ModelNames.validate(name);
        synchronized (changes) {
            Model current = models.remove(name);
            if (current == null) {
                throw InferenceException.unknownModel(name);
            }
            unloaded.add(name);
            LOG.info(() -> "model " + name + " unloaded; its versions close once their admitted requests finish");
            return current.retire();
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

    /**
     * A failure reason as clients see it (index, load answers): paths relative to the repository,
     * so the node's filesystem layout stays in its log.
     */
    private String withoutRoot(String reason) {
        String absolute = root.toAbsolutePath().normalize().toString();
        return reason.replace(absolute + java.io.File.separator, "").replace(absolute, "<repository>")
                .replace(root + java.io.File.separator, "");
    }

    private Model loadModel(Path directory, Optional<ModelConfig> override) {
        String name = directory.getFileName().toString();
        List<IndexEntry> index = new ArrayList<>();
        TreeMap<Long, ModelVersion> ready = new TreeMap<>();
        ModelSettings settings;
        NavigableSet<Long> onDisk;
        try {
            Path configFile = directory.resolve(CONFIG_FILE);
            ModelConfig config = override.isPresent() ? override.get()
                    : Files.isRegularFile(configFile) ? ModelConfigParser.read(configFile)
                    : ModelConfig.getDefaultInstance();
            settings = ModelSettings.resolve(name, config, runtime);
            onDisk = versionsOnDisk(directory);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "model " + name + " failed to load: " + e.getMessage());
            index.add(new IndexEntry(name, "", ModelState.UNAVAILABLE, withoutRoot(String.valueOf(e.getMessage())), ""));
            return new Model(name, ready, index);
        }
        List<Long> chosen = settings.versionPolicy().select(onDisk);
        if (chosen.isEmpty()) {
            String reason = "no version directory (a number holding " + settings.modelFilename()
                    + ") matches the version policy";
            LOG.warning(() -> "model " + name + ": " + reason);
            index.add(new IndexEntry(name, "", ModelState.UNAVAILABLE, reason, ""));
            return new Model(name, ready, index);
        }
        for (long missing : settings.versionPolicy().missing(onDisk)) {
            LOG.warning(() -> "model " + name + ": version policy names version " + missing + ", which is not on disk");
        }
        ModelMeters modelMeters = meters.computeIfAbsent(name, ignored -> {
            LoadViewHolder holder = new LoadViewHolder();
            return new ModelMeters(holder, statsFactory.forModel(name, holder));
        });
        ModelStats stats = modelMeters.stats;
        for (long version : chosen) {
            try {
                ModelVersion loadedVersion = loader.load(settings, version, directory.resolve(Long.toString(version)), stats);
                ready.put(version, loadedVersion);
                index.add(new IndexEntry(name, Long.toString(version), ModelState.READY, "",
                        loadedVersion.provider().name()));
                LOG.info(() -> "model " + name + " version " + version + " ready on " + loadedVersion.provider()
                        + " with " + loadedVersion.instanceCount() + " instance(s), max_batch_size "
                        + loadedVersion.signature().maxBatchSize());
            } catch (Exception | Error e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.log(Level.WARNING, "model " + name + " version " + version + " failed to load: " + reason);
                index.add(new IndexEntry(name, Long.toString(version), ModelState.UNAVAILABLE, withoutRoot(reason), ""));
            }
        }
        index.sort(Comparator.comparingLong(entry -> Long.parseLong(entry.version())));
        Model model = new Model(name, ready, index);
        if (modelMeters.holder().target == null) {
            modelMeters.holder().target = model; // first load; a reload points it there on the switch
        }
        return model;
    }

    private static NavigableSet<Long> versionsOnDisk(Path directory) throws IOException {
        NavigableSet<Long> versions = new TreeSet<>();
        try (Stream<Path> children = Files.list(directory)) {
            children.filter(Files::isDirectory).forEach(child -> {
                String text = child.getFileName().toString();
                if (text.matches("[0-9]{1,18}")) {
                    versions.add(Long.parseLong(text));
                }
            });
        }
        return versions;
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

    private record ModelMeters(LoadViewHolder holder, ModelStats stats) {
    }

    /** Lets stats observe the model object that only exists once all versions are loaded. */
    private static final class LoadViewHolder implements LoadView {
        private volatile Model target;

        @Override
        public int queueLength() {
            Model model = target;
            return model == null ? 0 : model.queueLength();
        }

        @Override
        public int executingRequests() {
            Model model = target;
            return model == null ? 0 : model.executingRequests();
        }
    }
}
