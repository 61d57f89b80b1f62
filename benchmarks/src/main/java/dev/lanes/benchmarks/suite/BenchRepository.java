package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.Workload;
import dev.lanes.runtime.testing.TestModels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model repository the suite serves: the synthetic MLP (with and without dynamic batching)
 * and, when fetched, PaddleOCR's classifier and detector. Every model runs two CPU instances
 * with one intra-op thread each, the configuration that uses this machine's two cores (MODELS.md),
 * and the raw-runtime baseline uses the same.
 */
final class BenchRepository {
    static final int INSTANCES = 2;
    static final int INTRA_OP_THREADS = 1;
    static final int MLP_WIDTH = 256;
    /**
     * Dynamic batching delay of the batched models; part of the latency bound of scenario 6. Zero:
     * batches still form from what queues while both instances are busy, and on this machine a
     * delay lowered MLP throughput at concurrency 64 (29.6k with 1 ms against 34.9k req/s with 0).
     */
    static final int QUEUE_DELAY_MICROS = 0;
    /**
     * cls's queue. Under overload an accepted request waits for the whole queue ahead of it, so its
     * bound is a latency bound: 16 requests at the 700-800 answers/s one core gives cls are 20-23 ms
     * of waiting (accepted p99 39-62 ms at three times saturation, against 127 ms with a queue of 64;
     * docs/benchmarks.md). A shorter queue refuses more of the Poisson bursts
     * below saturation: 16 refused none at 70 %, and at 90 % from 1 in 11 000 to a tenth when the
     * node ran slower than the saturation measured earlier in the run.
     */
    static final int CLS_QUEUE_SIZE = 16;

    /** One model in the repository and the request the suite sends it. */
    record BenchModel(String name, Path onnx, Workload workload, String config) {
    }

    private final Path root;
    private final List<BenchModel> models = new ArrayList<>();

    BenchRepository(Path root) {
        this.root = root;
    }

    static String instances() {
        return "instance_group [ { count: " + INSTANCES + " kind: KIND_CPU } ]\n"
                + "parameters { key: \"intra_op_thread_count\" value: { string_value: \"" + INTRA_OP_THREADS + "\" } }\n";
    }

    static String batching(int maxQueueSize) {
        return "dynamic_batching { max_queue_delay_microseconds: " + QUEUE_DELAY_MICROS
                + " default_queue_policy { max_queue_size: " + maxQueueSize + " } }\n";
    }

    BenchRepository mlp() throws IOException {
        Path onnx = Files.createDirectories(root.resolve(".sources")).resolve("mlp.onnx");
        TestModels.mlp(MLP_WIDTH, 1024, 10, 1).write(onnx);
        add("mlp", onnx, Workload.random("mlp", "x", 1, MLP_WIDTH),
                "max_batch_size: 64\n" + batching(1024) + instances());
        add("mlp_nobatch", onnx, Workload.random("mlp_nobatch", "x", 1, MLP_WIDTH),
                "max_batch_size: 64\n" + instances());
        return this;
    }

    /** PaddleOCR cls and det from {@code modelsDir} (bin/fetch-models); absent files are skipped. */
    BenchRepository paddle(Path modelsDir) throws IOException {
        Path cls = modelsDir.resolve("paddle_cls.onnx");
        if (Files.isRegularFile(cls)) {
            // max_batch_size 4 is what `bin/bench tune` chose here (docs/benchmarks.md)
            add("cls", cls, Workload.random("cls", "x", 1, 3, 48, 192),
                    "max_batch_size: 4\n" + batching(CLS_QUEUE_SIZE) + instances());
        }
        Path det = modelsDir.resolve("paddle_det.onnx");
        if (Files.isRegularFile(det)) {
            // Batching does not help this CNN on CPU (MODELS.md); one image per execution.
            add("det", det, Workload.random("det", "x", 1, 3, 640, 640), "max_batch_size: 1\n" + instances());
        }
        return this;
    }

    /**
     * cls as issue 19 measured it, without dynamic batching (each request a batch of one, as raw
     * ONNX Runtime runs it), so "÷ raw" compares the same work; the batched cls shows what the
     * tuned configuration adds.
     */
    BenchRepository clsWithoutBatching(Path modelsDir) throws IOException {
        Path cls = modelsDir.resolve("paddle_cls.onnx");
        if (Files.isRegularFile(cls)) {
            add("cls_nobatch", cls, Workload.random("cls_nobatch", "x", 1, 3, 48, 192), "max_batch_size: 8\n"
                    + instances());
        }
        return this;
    }

    private void add(String name, Path onnx, Workload workload, String config) throws IOException {
        Path version = Files.createDirectories(root.resolve(name).resolve("1"));
        Files.copy(onnx, version.resolve("model.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(root.resolve(name).resolve("config.pbtxt"), "name: \"" + name + "\"\n"
                + "platform: \"onnxruntime_onnx\"\n" + config);
        models.add(new BenchModel(name, onnx, workload, config));
    }

    Path root() {
        return root;
    }

    java.util.Optional<BenchModel> model(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
