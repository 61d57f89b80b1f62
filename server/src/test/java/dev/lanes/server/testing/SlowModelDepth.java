package dev.lanes.server.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lanes.runtime.testing.TestModels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * How deep the slow model must be for 64 rows to keep one single-threaded instance busy for about
 * a second on this machine. Measured once per JVM rather than fixed: the deadline and queueing
 * tests need a batch that outlasts their 300 ms deadlines by a wide margin, and machines of the
 * same kind differ fourfold in speed (400 layers took a second on one and 250 ms on another).
 */
public final class SlowModelDepth {
    private static final int PROBE_DEPTH = 50;
    private static final long TARGET_NANOS = 1_000_000_000L;
    private static final int MIN_DEPTH = 100;
    private static final int MAX_DEPTH = 8_000;
    private static final Map<Integer, Integer> MEASURED = new HashMap<>();

    private SlowModelDepth() {
    }

    /** The depth for {@code width}-wide rows, at least {@value #MIN_DEPTH} layers. */
    public static synchronized int forOneSecond(int width) {
        return MEASURED.computeIfAbsent(width, SlowModelDepth::measure);
    }

    private static int measure(int width) {
        try {
            Path file = Files.createTempFile("lanes-slow-probe", ".onnx");
            try {
                TestModels.slow(width, PROBE_DEPTH).write(file);
                long nanos = bestOfThree(file, width);
                long depth = (long) Math.ceil((double) PROBE_DEPTH * TARGET_NANOS / Math.max(1, nanos));
                if (depth > MAX_DEPTH) { // a silent cap would hand out a model that is not slow
                    throw new IllegalStateException(width + "-wide rows are too little work to keep an instance busy: "
                            + PROBE_DEPTH + " layers took " + nanos + " ns; use wider rows");
                }
                return (int) Math.max(MIN_DEPTH, depth);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot time the slow model", e);
        }
    }

    private static long bestOfThree(Path file, int width) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1); // as the slow model's config.pbtxt runs it
            try (OrtSession session = environment.createSession(file.toString(), options);
                 OnnxTensor rows = OnnxTensor.createTensor(environment, FloatBuffer.allocate(64 * width),
                         new long[]{64, width})) {
                long best = Long.MAX_VALUE;
                for (int run = 0; run < 4; run++) {
                    long start = System.nanoTime();
                    session.run(Map.of("x", rows)).close();
                    long nanos = System.nanoTime() - start;
                    if (run > 0) { // the first run warms the session
                        best = Math.min(best, nanos);
                    }
                }
                return best;
            }
        }
    }
}
