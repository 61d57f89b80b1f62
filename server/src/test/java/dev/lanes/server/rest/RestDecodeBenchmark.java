package dev.lanes.server.rest;

import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.DirectBufferPool;
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

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * REST request decoding into pooled direct buffers, JSON and binary extension, for the MLP input
 * (256 floats) and a PaddleOCR cls image (3×48×192 floats), with the bodies the load generator
 * sends. Lives in the decoder's package because the decoder is internal to the server; run it
 * with {@code bin/bench jmh server}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RestDecodeBenchmark {
    @Param({"mlp", "cls"})
    public String input;

    private InferRequestDecoder decoder;
    private ModelSignature signature;
    private byte[] json;
    private byte[] binary;
    private int binaryHeaderLength;

    @Setup
    public void setUp() {
        RandomFp32Body body = input.equals("mlp") ? RandomFp32Body.of("x", 1, 256)
                : RandomFp32Body.of("x", 1, 3, 48, 192);
        long[] dims = input.equals("mlp") ? new long[]{256} : new long[]{3, 48, 192};
        signature = new ModelSignature(List.of(new TensorSpec("x", DataType.FP32, dims)),
                List.of(new TensorSpec("y", DataType.FP32, new long[]{10})), 64);
        decoder = new InferRequestDecoder(new DirectBufferPool(64L << 20), 1L << 26, 256L << 20);
        json = body.json();
        binary = body.binary();
        binaryHeaderLength = body.binaryHeader().length;
    }

    @Benchmark
    public int json() throws Exception {
        try (InferRequest request = decoder.decode(new ByteArrayInputStream(json), -1, json.length, signature)) {
            return request.inputs().tensors().size();
        }
    }

    @Benchmark
    public int binary() throws Exception {
        try (InferRequest request = decoder.decode(new ByteArrayInputStream(binary), binaryHeaderLength, binary.length,
                signature)) {
            return request.inputs().tensors().size();
        }
    }
}
