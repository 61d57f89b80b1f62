package dev.lanes.server;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code lanes gpu-check MODEL [H [W]]}: loads one FP32 image model on CUDA and on CPU, compares
 * the outputs on the same random input, and measures inferences per second on each. Prints one
 * JSON line; exits 1 when CUDA cannot be used or the outputs disagree beyond 1e-3.
 */
final class GpuCheck {
    private static final int RUNS = 50;
    private static final long DEFAULT_SIDE = 640;
    private static final long MAX_SIDE = 16_384;

    private GpuCheck() {
    }

    /** The command's arguments: the model, and the height and width given to dynamic image dims. */
    record Arguments(Path model, long height, long width) {
    }

    /**
     * Reads {@code MODEL [H [W]]}, the words after the command: H defaults to 640 and W to H, so
     * one number asks for a square image.
     */
    static Arguments parse(List<String> words) {
        if (words.isEmpty() || words.size() > 3) {
            throw new IllegalArgumentException("gpu-check takes MODEL [H [W]]");
        }
        long height = words.size() > 1 ? side("H", words.get(1)) : DEFAULT_SIDE;
        long width = words.size() > 2 ? side("W", words.get(2)) : height;
        return new Arguments(Path.of(words.get(0)), height, width);
    }

    private static long side(String name, String text) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("gpu-check: " + name + " must be a whole number, got '" + text + "'");
        }
        if (value < 1 || value > MAX_SIDE) {
            throw new IllegalArgumentException("gpu-check: " + name + " must be 1 to " + MAX_SIDE + ", got " + value);
        }
        return value;
    }

    static int run(Path model, long height, long width) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions cpuOptions = new OrtSession.SessionOptions();
             OrtSession.SessionOptions cudaOptions = new OrtSession.SessionOptions()) {
            try {
                cudaOptions.addCUDA(0);
            } catch (OrtException e) {
                System.out.println("{\"cuda\":false,\"reason\":\"" + e.getMessage().replace('"', '\'') + "\"}");
                return 1;
            }
            try (OrtSession cpu = environment.createSession(model.toString(), cpuOptions);
                 OrtSession cuda = environment.createSession(model.toString(), cudaOptions)) {
                String input = cpu.getInputNames().iterator().next();
                long[] shape = ((TensorInfo) cpu.getInputInfo().get(input).getInfo()).getShape();
                long[] concrete = {1, shape[1] < 0 ? 3 : shape[1], shape[2] < 0 ? height : shape[2],
                        shape[3] < 0 ? width : shape[3]};
                float[] data = new float[(int) (concrete[0] * concrete[1] * concrete[2] * concrete[3])];
                Random random = new Random(7);
                for (int i = 0; i < data.length; i++) {
                    data[i] = random.nextFloat() * 2 - 1;
                }
                try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(data), concrete)) {
                    float[] onCpu = runOnce(cpu, input, tensor);
                    float[] onCuda = runOnce(cuda, input, tensor);
                    double maxDiff = 0;
                    for (int i = 0; i < onCpu.length; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs(onCpu[i] - onCuda[i]));
                    }
                    double cpuRate = rate(cpu, input, tensor);
                    double cudaRate = rate(cuda, input, tensor);
                    boolean agree = onCpu.length == onCuda.length && maxDiff <= 1e-3;
                    System.out.printf("{\"cuda\":true,\"model\":\"%s\",\"shape\":\"%s\",\"max_abs_diff\":%.3g,"
                                    + "\"agree\":%b,\"cpu_per_s\":%.1f,\"cuda_per_s\":%.1f,\"cuda_over_cpu\":%.2f}%n",
                            model.getFileName(), Arrays.toString(concrete), maxDiff, agree, cpuRate, cudaRate,
                            cudaRate / cpuRate);
                    return agree ? 0 : 1;
                }
            }
        }
    }

    private static float[] runOnce(OrtSession session, String input, OnnxTensor tensor) throws OrtException {
        try (OrtSession.Result result = session.run(Map.of(input, tensor))) {
            FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[output.remaining()];
            output.get(values);
            return values;
        }
    }

    private static double rate(OrtSession session, String input, OnnxTensor tensor) throws OrtException {
        for (int i = 0; i < 5; i++) {
            runOnce(session, input, tensor);
        }
        long start = System.nanoTime();
        for (int i = 0; i < RUNS; i++) {
            runOnce(session, input, tensor);
        }
        return RUNS / ((System.nanoTime() - start) / 1e9);
    }
}
