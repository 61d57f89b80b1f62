package dev.lanes.runtime.repository;

import ai.onnxruntime.OrtException;
import dev.lanes.runtime.batch.DynamicBatcher;
import dev.lanes.runtime.batch.Ticker;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.model.ModelSettings;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.model.SignatureResolver;
import dev.lanes.runtime.ort.OrtInstance;
import dev.lanes.runtime.ort.OrtSessions;
import dev.lanes.runtime.ort.WarmUp;
import dev.lanes.runtime.stats.ModelStats;
import dev.lanes.runtime.stats.VersionStatistics;
import dev.lanes.runtime.tensor.DirectBufferPool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Loads a model directory into a {@link Model}: its configuration, the versions its policy
 * chooses (each a started {@link ModelVersion}) and an index row for each, a failure becoming
 * that row's reason. Never throws for a model that does not load; the registry decides.
 */
final class ModelLoader {
    private static final Logger LOG = Logger.getLogger(ModelLoader.class.getName());

    private final RepositoryLayout layout;
    private final RuntimeSettings runtime;
    private final DirectBufferPool pool;
    private final ModelMeters meters;
    private final Ticker ticker;

    ModelLoader(RepositoryLayout layout, RuntimeSettings runtime, DirectBufferPool pool, ModelMeters meters,
                Ticker ticker) {
        this.layout = layout;
        this.runtime = runtime;
        this.pool = pool;
        this.meters = meters;
        this.ticker = ticker;
    }

    Model loadModel(Path directory, Optional<ModelConfig> override) {
        String name = directory.getFileName().toString();
        List<IndexEntry> index = new ArrayList<>();
        TreeMap<Long, ModelVersion> ready = new TreeMap<>();
        ModelSettings settings;
        NavigableSet<Long> onDisk;
        try {
            settings = ModelSettings.resolve(name, RepositoryLayout.config(directory, override), runtime);
            onDisk = RepositoryLayout.versionsOnDisk(directory);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "model " + name + " failed to load: " + e.getMessage());
            index.add(new IndexEntry(name, "", ModelState.UNAVAILABLE, layout.forClients(String.valueOf(e.getMessage())), ""));
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
        ModelStats stats = meters.statsFor(name);
        for (long version : chosen) {
            try {
                ModelVersion loaded = loadVersion(settings, version, directory.resolve(Long.toString(version)), stats);
                ready.put(version, loaded);
                index.add(new IndexEntry(name, Long.toString(version), ModelState.READY, "", loaded.provider().name()));
                LOG.info(() -> "model " + name + " version " + version + " ready on " + loaded.provider()
                        + " with " + loaded.instanceCount() + " instance(s) of "
                        + loaded.settings().intraOpThreads() + " intra-op thread(s), max_batch_size "
                        + loaded.signature().maxBatchSize());
            } catch (Exception | Error e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.log(Level.WARNING, "model " + name + " version " + version + " failed to load: " + reason);
                index.add(new IndexEntry(name, Long.toString(version), ModelState.UNAVAILABLE,
                        layout.forClients(reason), ""));
            }
        }
        index.sort(Comparator.comparingLong(entry -> Long.parseLong(entry.version())));
        return new Model(name, ready, index);
    }

    private ModelVersion loadVersion(ModelSettings settings, long version, Path versionDir, ModelStats modelStats)
            throws Exception {
        VersionStatistics stats = new VersionStatistics(modelStats);
        Path file = versionDir.resolve(settings.modelFilename());
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("version " + version + " has no " + settings.modelFilename());
        }
        List<OrtSessions.Created> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < settings.instanceCount(); i++) {
                sessions.add(OrtSessions.create(file, settings, i));
            }
            var first = sessions.get(0).session();
            SignatureResolver.Resolved resolved = SignatureResolver.resolve(settings.config(),
                    OrtSessions.inputs(first), OrtSessions.outputs(first), runtime);
            if (runtime.warmUp()) {
                for (OrtSessions.Created created : sessions) {
                    warmUp(settings.name(), version, created, resolved);
                }
            }
            String label = settings.name() + "-v" + version;
            List<OrtInstance> instances = new ArrayList<>();
            for (OrtSessions.Created created : sessions) {
                instances.add(new OrtInstance(settings.name(), created.session(), created.provider(),
                        resolved.signature(), pool));
            }
            DynamicBatcher batcher = new DynamicBatcher(label, resolved.policy(), ticker, stats);
            batcher.start(List.copyOf(instances));
            return new ModelVersion(settings.name(), version, settings, resolved.signature(),
                    sessions.get(0).provider(), batcher, instances, stats);
        } catch (Exception | Error e) {
            for (OrtSessions.Created created : sessions) {
                try {
                    created.session().close();
                } catch (OrtException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
            }
            throw e;
        }
    }

    /**
     * Zero inputs with dynamic dims taken as 1 may not suit every model (a CNN may need a minimum
     * image size), so a failed warm-up is logged and the model still serves.
     */
    private static void warmUp(String model, long version, OrtSessions.Created created,
                               SignatureResolver.Resolved resolved) {
        try {
            WarmUp.run(created.session(), resolved.signature());
        } catch (OrtException | RuntimeException e) {
            LOG.log(Level.WARNING, "model " + model + " version " + version + ": warm-up inference failed: "
                    + e.getMessage());
        }
    }
}
