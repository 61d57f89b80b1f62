package dev.lanes.runtime.ort;

import dev.lanes.runtime.batch.BatchKey;
import dev.lanes.runtime.batch.InferenceTask;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.runtime.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Batch assembly (each request's input copied into one pooled direct buffer) and output slicing
 * (the batch output cut into per-request views), for batches of MLP rows and cls images. In
 * {@code BatchTensors}' package because it is internal to the runtime; run it with
 * {@code bin/bench jmh model-runtime}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BatchTensorsBenchmark {
    /** Rows per batch and elements per row of the input. */
    @Param({"64x256", "8x27648"})
    public String batch;

    private final DirectBufferPool pool = new DirectBufferPool(64L << 20);
    private final TensorSpec output = new TensorSpec("y", DataType.FP32, new long[]{10});
    private List<InferenceTask> tasks;
    private ByteBuffer batchOutput;
    private long[] outputShape;

    @Setup
    public void setUp() {
        int rows = Integer.parseInt(batch.substring(0, batch.indexOf('x')));
        int width = Integer.parseInt(batch.substring(batch.indexOf('x') + 1));
        tasks = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            ByteBuffer data = ByteBuffer.allocateDirect(width * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            Tensor input = Tensor.of("x", DataType.FP32, new long[]{1, width}, data);
            tasks.add(new InferenceTask(List.of(input), Set.of(), 1, BatchKey.of(List.of(input)), 0, Long.MAX_VALUE));
        }
        outputShape = new long[]{rows, 10};
        batchOutput = ByteBuffer.allocateDirect(rows * 10 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Benchmark
    public int assemble() {
        ByteBuffer joined = BatchTensors.concatenate(tasks, 0, pool);
        int size = joined.remaining();
        pool.release(joined);
        return size;
    }

    @Benchmark
    public List<List<Tensor>> slice() {
        List<List<Tensor>> perTask = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            perTask.add(new ArrayList<>(1));
        }
        BatchTensors.sliceRows(output, batchOutput, outputShape, 10, tasks, perTask);
        return perTask;
    }
}
