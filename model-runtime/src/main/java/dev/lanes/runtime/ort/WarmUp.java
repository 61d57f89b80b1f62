package dev.lanes.runtime.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.Shapes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One zero-filled inference per instance before a model reports ready, so the first client does
 * not pay for ORT's lazy initialisation. Dynamic dimensions are taken as 1 and the batch as 1.
 */
public final class WarmUp {
    private WarmUp() {
    }

    public static void run(OrtSession session, ModelSignature signature) throws OrtException {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            for (TensorSpec spec : signature.inputs()) {
                inputs.put(spec.name(), zeros(spec, signature));
            }
            try (OrtSession.Result ignored = session.run(inputs)) {
                // Only the side effect matters: kernels chosen, memory arenas sized.
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor zeros(TensorSpec spec, ModelSignature signature) throws OrtException {
        long[] shape = signature.batching() ? Shapes.prepend(1, spec.dims()) : spec.dims();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                shape[d] = 1;
            }
        }
        int count = Math.toIntExact(Shapes.elementCount(shape));
        if (spec.dataType() == DataType.BYTES) {
            String[] empty = new String[count];
            Arrays.fill(empty, "");
            return OnnxTensor.createTensor(OrtSessions.environment(), empty, shape);
        }
        ByteBuffer data = ByteBuffer.allocateDirect(count * spec.dataType().byteSize()).order(ByteOrder.nativeOrder());
        return OnnxTensor.createTensor(OrtSessions.environment(), data, shape, spec.dataType().ortType());
    }
}
