package dev.lanes.benchmarks.jmh;

import dev.lanes.benchmarks.load.Workload;
import dev.lanes.cache.CacheKey;
import dev.lanes.cache.CacheKeyBuilder;
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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** The prediction cache key (SHA-256 over model, version, outputs and the input bytes) for one request. */
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
        Workload workload = input.equals("mlp") ? Workload.random("m", "x", 1, 256)
                : Workload.random("m", "x", 1, 3, 48, 192);
        byte[] bytes = workload.littleEndianBytes();
        data = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN).put(bytes).flip();
        shape = workload.shape();
    }

    @Benchmark
    public CacheKey key() {
        return new CacheKeyBuilder("cls", 1, new TreeSet<>()).input("x", "FP32", shape, data.duplicate()).build();
    }
}
