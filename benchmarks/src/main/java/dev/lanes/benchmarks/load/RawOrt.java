package dev.lanes.benchmarks.load;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The physical limit: the same model and input run in this process on ONNX Runtime, with the
 * same number of sessions (instances) and intra-op threads as the server's configuration, and no
 * server in between. Each caller is bound to one session; the input tensor wraps a direct buffer
 * filled once, which is the cheapest way ORT can take it.
 */
public final class RawOrt implements CallerSource, AutoCloseable {
    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final List<OrtSession> sessions = new ArrayList<>();
    private final Workload workload;
    private final AtomicInteger next = new AtomicInteger();

    public RawOrt(Path model, Workload workload, int instances, int intraOpThreads) throws OrtException {
        this.workload = workload;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            for (int i = 0; i < instances; i++) {
                sessions.add(environment.createSession(model.toString(), options));
            }
        }
    }

    @Override
    public Caller newCaller() {
        OrtSession session = sessions.get(Math.floorMod(next.getAndIncrement(), sessions.size()));
        byte[] bytes = workload.littleEndianBytes();
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN).put(bytes).flip();
        try {
            OnnxTensor tensor = OnnxTensor.createTensor(environment, direct.asFloatBuffer(), workload.shape());
            Map<String, OnnxTensor> inputs = Map.of(workload.input(), tensor);
            return new Caller() {
                @Override
                public Outcome call() {
                    try (OrtSession.Result ignored = session.run(inputs)) {
                        return Outcome.OK;
                    } catch (OrtException e) {
                        return Outcome.error(e.getMessage());
                    }
                }

                @Override
                public void close() {
                    tensor.close();
                }
            };
        } catch (OrtException e) {
            throw new IllegalStateException("cannot build the input tensor: " + e.getMessage(), e);
        }
    }

    @Override
    public String protocolLabel() {
        return "raw-ort";
    }

    @Override
    public String model() {
        return workload.model();
    }

    @Override
    public void close() throws OrtException {
        for (OrtSession session : sessions) {
            session.close();
        }
    }
}
