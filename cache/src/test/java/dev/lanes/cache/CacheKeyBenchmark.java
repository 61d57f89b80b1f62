package dev.lanes.cache;

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
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The prediction cache key (SHA-256 over model, version, outputs and the input bytes) for one
 * request, the MLP input (256 floats) or a PaddleOCR cls image (3×48×192 floats), values uniform
 * in [0, 1) from seed 42 as the load generator sends them. Run it with {@code bin/bench jmh cache}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheKeyBenchmark {
    @Param({"mlp", "cls"})
    public String input;

    private ByteBuffer data;
    private long[] shape;

    @Setup
    public void setUp() {
        shape = input.equals("mlp") ? new long[]{1, 256} : new long[]{1, 3, 48, 192};
        int elements = 1;
        for (long dim : shape) {
            elements = Math.multiplyExact(elements, Math.toIntExact(dim));
        }
        Random random = new Random(42);
        data = ByteBuffer.allocateDirect(elements * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < elements; i++) {
            data.putFloat(random.nextFloat());
        }
        data.flip();
    }

    @Benchmark
    public CacheKey key() {
        return new CacheKeyBuilder("cls", 1, new TreeSet<>()).input("x", "FP32", shape, data.duplicate()).build();
    }
}
