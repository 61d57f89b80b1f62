package dev.lanes.runtime.ort;

import dev.lanes.runtime.batch.InferenceTask;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.runtime.tensor.Shapes;
import dev.lanes.runtime.tensor.Tensor;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The two copies-or-not of a batch with fixed-size elements: requests' inputs joined along dim 0
 * into one pooled direct buffer (one copy each), and a batch output cut back into per-request
 * views (no copy). Kept apart from {@link OrtInstance} so the hot paths can be measured alone.
 */
final class BatchTensors {
    private BatchTensors() {
    }

    /** Input {@code index} of every task, in order, in a buffer leased from {@code pool}; the caller releases it. */
    static ByteBuffer concatenate(List<InferenceTask> batch, int index, DirectBufferPool pool) {
        int total = 0;
        for (InferenceTask task : batch) {
            total += task.inputs().get(index).byteSize();
        }
        ByteBuffer data = pool.acquire(total);
        for (InferenceTask task : batch) {
            data.put(task.inputs().get(index).data());
        }
        return data.flip();
    }

    /** Adds to each task that wants this output a view of its rows of {@code all}. */
    static void sliceRows(TensorSpec spec, ByteBuffer all, long[] shape, long perRowElements, List<InferenceTask> batch,
                          List<List<Tensor>> perTask) {
        int rowBytes = Math.toIntExact(perRowElements * spec.dataType().byteSize());
        int offset = 0;
        for (int t = 0; t < batch.size(); t++) {
            InferenceTask task = batch.get(t);
            int length = task.rows() * rowBytes;
            if (OrtInstance.wants(task, spec.name())) {
                ByteBuffer view = all.duplicate().position(offset).limit(offset + length).slice().order(all.order());
                perTask.get(t).add(Tensor.of(spec.name(), spec.dataType(), Shapes.withFirstDim(task.rows(), shape), view));
            }
            offset += length;
        }
    }
}
