package dev.lanes.runtime.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.lanes.runtime.model.ModelSettings;
import dev.lanes.runtime.model.ProviderChoice;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.DataType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/** Creates ORT sessions with a model's settings and reads their declared signature. */
public final class OrtSessions {
    private static final Logger LOG = Logger.getLogger(OrtSessions.class.getName());

    /** A session and the provider it ended up on. */
    public record Created(OrtSession session, ExecutionProvider provider) {
    }

    private OrtSessions() {
    }

    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Creates the session for instance {@code index}. CUDA is required when the settings say
     * CUDA; with AUTO a CUDA provider that fails to load falls back to CPU with a log line.
     */
    public static Created create(Path modelFile, ModelSettings settings, int index) throws OrtException {
        ProviderChoice choice = settings.provider();
        if (choice == ProviderChoice.CPU) {
            return new Created(open(modelFile, settings, ExecutionProvider.CPU, 0), ExecutionProvider.CPU);
        }
        int gpu = settings.gpus().isEmpty() ? 0 : settings.gpus().get(index % settings.gpus().size());
        try {
            return new Created(open(modelFile, settings, ExecutionProvider.CUDA, gpu), ExecutionProvider.CUDA);
        } catch (OrtException | UnsatisfiedLinkError e) {
            if (choice == ProviderChoice.CUDA) {
                throw new OrtException("the CUDA execution provider could not be used on GPU " + gpu + ": "
                        + e.getMessage());
            }
            LOG.info(() -> "model " + settings.name() + ": CUDA unavailable (" + e.getMessage()
                    + "); falling back to CPU");
            return new Created(open(modelFile, settings, ExecutionProvider.CPU, 0), ExecutionProvider.CPU);
        }
    }

    private static OrtSession open(Path modelFile, ModelSettings settings, ExecutionProvider provider, int gpu)
            throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setInterOpNumThreads(settings.interOpThreads());
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(optimizationLevel(settings.graphLevel()));
            if (provider == ExecutionProvider.CUDA) {
                options.addCUDA(gpu);
            }
            return environment().createSession(modelFile.toString(), options);
        }
    }

    /** Triton's mapping for ONNX: -1 basic only, 1 basic and extended, otherwise everything. */
    private static OrtSession.SessionOptions.OptLevel optimizationLevel(int graphLevel) {
        if (graphLevel == -1) {
            return OrtSession.SessionOptions.OptLevel.BASIC_OPT;
        }
        if (graphLevel == 1) {
            return OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
        }
        return OrtSession.SessionOptions.OptLevel.ALL_OPT;
    }

    public static List<TensorSpec> inputs(OrtSession session) throws OrtException {
        return specs(session.getInputInfo());
    }

    public static List<TensorSpec> outputs(OrtSession session) throws OrtException {
        return specs(session.getOutputInfo());
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> nodes) {
        List<TensorSpec> specs = new ArrayList<>();
        for (NodeInfo node : nodes.values()) {
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new IllegalArgumentException("model value '" + node.getName()
                        + "' is not a tensor (" + node.getInfo() + "); only tensors are served");
            }
            DataType type = DataType.fromOnnx(info.onnxType).orElseThrow(() -> new IllegalArgumentException(
                    "model tensor '" + node.getName() + "' has unsupported element type " + info.onnxType));
            specs.add(new TensorSpec(node.getName(), type, info.getShape()));
        }
        return specs;
    }
}
