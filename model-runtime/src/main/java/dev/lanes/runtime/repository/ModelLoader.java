package dev.lanes.runtime.repository;

import ai.onnxruntime.OrtException;
import dev.lanes.runtime.batch.DynamicBatcher;
import dev.lanes.runtime.batch.Ticker;
import dev.lanes.runtime.model.ModelSettings;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.model.SignatureResolver;
import dev.lanes.runtime.ort.OrtInstance;
import dev.lanes.runtime.ort.OrtSessions;
import dev.lanes.runtime.ort.WarmUp;
import dev.lanes.runtime.stats.ModelStats;
import dev.lanes.runtime.stats.VersionStatistics;
import dev.lanes.runtime.tensor.DirectBufferPool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Loads one version directory into a started {@link ModelVersion}, or fails with a reason. */
final class ModelLoader {
    private static final Logger LOG = Logger.getLogger(ModelLoader.class.getName());

    private final RuntimeSettings runtime;
    private final DirectBufferPool pool;
    private final Ticker ticker;

    ModelLoader(RuntimeSettings runtime, DirectBufferPool pool, Ticker ticker) {
        this.runtime = runtime;
        this.pool = pool;
        this.ticker = ticker;
    }

    ModelVersion load(ModelSettings settings, long version, Path versionDir, ModelStats modelStats) throws Exception {
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
                        resolved.signature(), pool, stats));
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
