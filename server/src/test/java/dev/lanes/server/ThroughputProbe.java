package dev.lanes.server;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.config.ServerConfig;
import dev.lanes.server.testing.ClosedLoop;
import dev.lanes.server.testing.GrpcClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick side-by-side probe, not the benchmark suite (that is the benchmarks issue): the
 * synthetic MLP (256→1024→1024→10) through Lanes' REST binary path with dynamic batching on and
 * off, through gRPC with batching on, and raw in-process ONNX Runtime at batch 1, all in one run
 * on this machine. Client and server share the JVM and the cores, equally for every variant.
 *
 * <pre>bin/lanes build && ./mvnw -q -pl server test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
 * java --enable-native-access=ALL-UNNAMED \
 *     -cp server/target/test-classes:server/target/classes:$(cat server/target/test.classpath) \
 *     dev.lanes.server.ThroughputProbe [SECONDS [CONCURRENCY]]</pre>
 */
public final class ThroughputProbe {
    private static final int WIDTH = 256;

    private ThroughputProbe() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Path root = Files.createTempDirectory("lanes-probe");
        String instances = "instance_group [ { count: 2 kind: KIND_CPU } ]\n"
                + "parameters { key: \"intra_op_thread_count\" value: { string_value: \"1\" } }\n";
        new TestRepository(root)
                .model("mlp_batched", 1, TestModels.mlp(WIDTH, 1024, 10, 1))
                .config("mlp_batched", "max_batch_size: 64\ndynamic_batching { }\n" + instances)
                .model("mlp_unbatched", 1, TestModels.mlp(WIDTH, 1024, 10, 1))
                .config("mlp_unbatched", "max_batch_size: 64\n" + instances);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 64L << 20, 16L << 20, true, root,
                RuntimeSettings.defaults(), dev.lanes.cache.CacheSettings.defaults(),
                dev.lanes.server.config.DrainSettings.IMMEDIATE);
        try (LanesServer server = new LanesServer(config).start()) {
            double raw = rawOrt(root.resolve("mlp_batched/1/model.onnx"), seconds);
            double on = closedLoop(server.port(), "mlp_batched", seconds, concurrency);
            double off = closedLoop(server.port(), "mlp_unbatched", seconds, concurrency);
            double grpc = grpcClosedLoop(server.port(), "mlp_batched", seconds, concurrency);
            System.out.printf("raw ORT, 2 threads, batch 1:           %9.0f inferences/s%n", raw);
            System.out.printf("Lanes REST binary, batching on,  c=%d: %9.0f requests/s%n", concurrency, on);
            System.out.printf("Lanes REST binary, batching off, c=%d: %9.0f requests/s%n", concurrency, off);
            System.out.printf("Lanes gRPC raw,    batching on,  c=%d: %9.0f requests/s%n", concurrency, grpc);
            System.out.printf("batching on / off: %.2f; batching on / raw ORT batch 1: %.2f; gRPC / REST binary: %.2f%n",
                    on / off, on / raw, grpc / on);
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            for (String model : List.of("mlp_batched", "mlp_unbatched")) {
                System.out.printf("%s mean batch size: %.2f%n", model,
                        sample(metrics.body(), "inference_batch_size_sum{model=\"" + model + "\"}")
                                / sample(metrics.body(), "inference_batch_size_count{model=\"" + model + "\"}"));
            }
        }
    }

    private static double sample(String scrape, String name) {
        return scrape.lines().map(line -> line.replace(",}", "}")).filter(line -> line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1))).findFirst().orElse(Double.NaN);
    }

    private static double closedLoop(int port, String model, int seconds, int concurrency) throws Exception {
        String header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1," + WIDTH + "],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + WIDTH * 4 + "}}],\"parameters\":{\"binary_data_output\":true}}";
        ByteBuffer body = ByteBuffer.allocate(header.length() + WIDTH * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.put(header.getBytes());
        for (int i = 0; i < WIDTH; i++) {
            body.putFloat(i / (float) WIDTH);
        }
        byte[] bytes = body.array();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer"))
                .header("Inference-Header-Content-Length", Integer.toString(header.length()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        return ClosedLoop.rate(concurrency, seconds,
                () -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode() == 200);
    }

    private static double grpcClosedLoop(int port, String model, int seconds, int concurrency) throws Exception {
        byte[] x = new byte[WIDTH * 4];
        ByteBuffer values = ByteBuffer.wrap(x).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < WIDTH; i++) {
            values.putFloat(i / (float) WIDTH);
        }
        var request = GrpcClient.rawRequest(model, "x", "FP32", new long[]{1, WIDTH}, x).build();
        try (GrpcClient client = new GrpcClient(port)) {
            return ClosedLoop.rate(concurrency, seconds, () -> client.blocking().modelInfer(request) != null);
        }
    }

    private static double rawOrt(Path model, int seconds) throws Exception {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        List<OrtSession> sessions = new ArrayList<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            sessions.add(environment.createSession(model.toString(), options));
            sessions.add(environment.createSession(model.toString(), options));
        }
        float[] x = new float[WIDTH];
        Arrays.fill(x, 0.5f);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        try (var threads = Executors.newFixedThreadPool(2)) {
            for (OrtSession session : sessions) {
                threads.submit(() -> {
                    try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(x), new long[]{1, WIDTH})) {
                        while (System.nanoTime() < end) {
                            try (OrtSession.Result ignored = session.run(Map.of("x", tensor))) {
                                done.incrementAndGet();
                            }
                        }
                    }
                    return null;
                });
            }
        }
        double rate = done.get() / ((System.nanoTime() - start) / 1e9);
        for (OrtSession session : sessions) {
            session.close();
        }
        return rate;
    }
}
