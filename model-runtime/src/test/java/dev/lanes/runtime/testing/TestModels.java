package dev.lanes.runtime.testing;

import dev.lanes.runtime.testing.OnnxModelWriter.Elem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The small models Lanes builds for its tests and its demo repository, with the arithmetic each
 * computes written out independently so tests can check ONNX Runtime's answers.
 */
public final class TestModels {
    /** affine: y = x · W + b with x [N,4], W [4,3], b [3]. */
    public static final float[] AFFINE_W = {
            0.5f, -1f, 2f,
            1.5f, 0.25f, -0.5f,
            -2f, 1f, 0.75f,
            1f, 2f, -1f};
    public static final float[] AFFINE_B = {0.1f, -0.2f, 0.3f};

    private TestModels() {
    }

    public static OnnxModelWriter affine() {
        return new OnnxModelWriter("affine")
                .input("x", Elem.FLOAT, -1, 4)
                .output("y", Elem.FLOAT, -1, 3)
                .floatInitializer("W", new long[]{4, 3}, AFFINE_W)
                .floatInitializer("b", new long[]{3}, AFFINE_B)
                .node("MatMul", List.of("x", "W"), List.of("xw"))
                .node("Add", List.of("xw", "b"), List.of("y"));
    }

    /** The affine model's answer for {@code rows} rows of x, computed in double precision. */
    public static double[] affineExpected(float[] x) {
        int rows = x.length / 4;
        double[] y = new double[rows * 3];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < 3; j++) {
                double sum = AFFINE_B[j];
                for (int i = 0; i < 4; i++) {
                    sum += (double) x[r * 4 + i] * AFFINE_W[i * 3 + j];
                }
                y[r * 3 + j] = sum;
            }
        }
        return y;
    }

    /**
     * mixed: inputs a INT32 [N,3] and b FP64 [N,3]; outputs sum = a + b (FP64), neg = -a (INT32),
     * positive = b > 0 (BOOL) and wide = a as INT64.
     */
    public static OnnxModelWriter mixed() {
        return new OnnxModelWriter("mixed")
                .input("a", Elem.INT32, -1, 3)
                .input("b", Elem.DOUBLE, -1, 3)
                .output("sum", Elem.DOUBLE, -1, 3)
                .output("neg", Elem.INT32, -1, 3)
                .output("positive", Elem.BOOL, -1, 3)
                .output("wide", Elem.INT64, -1, 3)
                .doubleInitializer("zero", new long[0], 0.0)
                .node("Cast", List.of("a"), List.of("a_double"), OnnxModelWriter.intAttribute("to", Elem.DOUBLE.code()))
                .node("Add", List.of("a_double", "b"), List.of("sum"))
                .node("Neg", List.of("a"), List.of("neg"))
                .node("Greater", List.of("b", "zero"), List.of("positive"))
                .node("Cast", List.of("a"), List.of("wide"), OnnxModelWriter.intAttribute("to", Elem.INT64.code()));
    }

    /** identity_&lt;type&gt;: out = in, both [N,-1], for datatype round trips. */
    public static OnnxModelWriter identity(Elem type) {
        return new OnnxModelWriter("identity")
                .input("in", type, -1, -1)
                .output("out", type, -1, -1)
                .node("Identity", List.of("in"), List.of("out"));
    }

    /** fixed: y = relu(x) with x [1,4]; no dynamic batch dimension, so it never batches. */
    public static OnnxModelWriter fixedBatch() {
        return new OnnxModelWriter("fixed")
                .input("x", Elem.FLOAT, 1, 4)
                .output("y", Elem.FLOAT, 1, 4)
                .node("Relu", List.of("x"), List.of("y"));
    }

    /**
     * slow: y = x · W repeated {@code depth} times with one shared W [width,width] (a scaled
     * identity, so y = x · scale^depth); enough arithmetic per row to keep a queue occupied.
     */
    public static OnnxModelWriter slow(int width, int depth) {
        float[] w = new float[width * width];
        for (int i = 0; i < width; i++) {
            w[i * width + i] = 1f;
        }
        OnnxModelWriter writer = new OnnxModelWriter("slow")
                .input("x", Elem.FLOAT, -1, width)
                .output("y", Elem.FLOAT, -1, width)
                .floatInitializer("W", new long[]{width, width}, w);
        String previous = "x";
        for (int i = 0; i < depth; i++) {
            String next = i == depth - 1 ? "y" : "h" + i;
            writer.node("MatMul", List.of(previous, "W"), List.of(next));
            previous = next;
        }
        return writer;
    }

    /** mlp: a dense network in → hidden → hidden → out with ReLU, seeded random weights. */
    public static OnnxModelWriter mlp(int in, int hidden, int out, long seed) {
        Random random = new Random(seed);
        OnnxModelWriter writer = new OnnxModelWriter("mlp")
                .input("x", Elem.FLOAT, -1, in)
                .output("y", Elem.FLOAT, -1, out);
        int[] sizes = {in, hidden, hidden, out};
        String previous = "x";
        for (int layer = 0; layer < 3; layer++) {
            float[] weights = new float[sizes[layer] * sizes[layer + 1]];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = (float) (random.nextGaussian() / Math.sqrt(sizes[layer]));
            }
            writer.floatInitializer("W" + layer, new long[]{sizes[layer], sizes[layer + 1]}, weights);
            String product = "mm" + layer;
            writer.node("MatMul", List.of(previous, "W" + layer), List.of(product));
            if (layer < 2) {
                writer.node("Relu", List.of(product), List.of("relu" + layer));
                previous = "relu" + layer;
            } else {
                writer.node("Identity", List.of(product), List.of("y"));
            }
        }
        return writer;
    }

    /**
     * failing: y = reshape(x, [3, -1]) with x [N,4]. Loads and passes validation, but ONNX Runtime
     * fails at run time unless the batch holds a multiple of 3 rows: a genuine runtime failure.
     */
    public static OnnxModelWriter failingAtRunTime() {
        return new OnnxModelWriter("failing")
                .input("x", Elem.FLOAT, -1, 4)
                .output("y", Elem.FLOAT, -1, -1)
                .int64Initializer("to", new long[]{2}, 3, -1)
                .node("Reshape", List.of("x", "to"), List.of("y"));
    }

    /** A file that is not an ONNX model at all. */
    public static void writeCorrupt(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, "this is not an ONNX model".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The config.pbtxt of the demo's affine model: a Triton-style config with batching knobs. */
    public static final String DEMO_AFFINE_CONFIG = """
            name: "affine"
            platform: "onnxruntime_onnx"
            max_batch_size: 8
            input [
              {
                name: "x"
                data_type: TYPE_FP32
                dims: [ 4 ]
              }
            ]
            output [
              {
                name: "y"
                data_type: TYPE_FP32
                dims: [ 3 ]
              }
            ]
            dynamic_batching {
              preferred_batch_size: [ 4, 8 ]
              max_queue_delay_microseconds: 500
              default_queue_policy {
                max_queue_size: 256
              }
            }
            instance_group [
              {
                count: 2
                kind: KIND_CPU
              }
            ]
            parameters {
              key: "intra_op_thread_count"
              value: { string_value: "1" }
            }
            response_cache {
              enable: true
            }
            """;

    /** Writes the demo repository (bundled at server/demo-models) under {@code root}. */
    public static List<Path> writeDemoRepository(Path root) {
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(root.resolve("affine"));
            files.add(Files.writeString(root.resolve("affine/config.pbtxt"), DEMO_AFFINE_CONFIG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.add(affine().write(root.resolve("affine/1/model.onnx")));
        files.add(mixed().write(root.resolve("mixed/1/model.onnx")));
        files.add(identity(Elem.STRING).write(root.resolve("echo_text/1/model.onnx")));
        return files;
    }

    /** Regenerates the bundled demo repository: {@code TestModels <dir>}. */
    public static void main(String[] args) {
        writeDemoRepository(Path.of(args.length > 0 ? args[0] : "server/demo-models"));
    }
}
