package dev.lanes.server;

import dev.lanes.cache.CacheSettings;
import dev.lanes.cache.RedisSettings;
import dev.lanes.cache.testing.RedisFixture;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.server.config.ServerConfig;
import dev.lanes.server.testing.ClosedLoop;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-JVM variant of benchmarks/cache/run.sh (which uses wrk and is the one reported): cache hit
 * against miss on PaddleOCR's text-direction classifier (3×48×192 FP32, 110 KB per
 * request, REST binary), with the local cache and with Redis, side by side in one run. Client and
 * server share the JVM and the two cores. Needs {@code bin/fetch-models} and a Redis (see
 * RedisFixture).
 *
 * <pre>bin/lanes build && bin/fetch-models && ./mvnw -q -pl server test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
 * java --enable-native-access=ALL-UNNAMED \
 *     -cp server/target/test-classes:server/target/classes:$(cat server/target/test.classpath) \
 *     dev.lanes.server.CacheProbe [SECONDS [CONCURRENCY]]</pre>
 */
public final class CacheProbe {
    private static final int ELEMENTS = 3 * 48 * 192;

    private CacheProbe() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Path root = Files.createTempDirectory("lanes-cache-probe");
        Path model = root.resolve("cls/1/model.onnx");
        Files.createDirectories(model.getParent());
        Files.copy(Path.of(".models/paddle_cls.onnx"), model);
        Files.writeString(root.resolve("cls/config.pbtxt"), """
                max_batch_size: 8
                dynamic_batching { default_queue_policy { max_queue_size: 4096 } }
                instance_group [ { count: 2 kind: KIND_CPU } ]
                parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
                response_cache { enable: true }
                """);
        try (RedisFixture redis = RedisFixture.start()) {
            CacheSettings local = CacheSettings.defaults();
            CacheSettings shared = new CacheSettings(CacheSettings.Backend.REDIS, 0, Duration.ofMinutes(1),
                    RedisSettings.of(redis.url()), false);
            for (CacheSettings cache : new CacheSettings[]{local, shared}) {
                ServerConfig config = new ServerConfig("127.0.0.1", 0, 64L << 20, 16L << 20, true, root,
                        RuntimeSettings.defaults(), cache,
                        dev.lanes.server.config.DrainSettings.IMMEDIATE);
                try (LanesServer server = new LanesServer(config).start()) {
                    double miss = run(server.port(), seconds, concurrency, true);
                    double hit = run(server.port(), seconds, concurrency, false);
                    System.out.printf("%-6s cache, c=%d: miss %7.0f req/s, hit %7.0f req/s, hit/miss %.2f%n",
                            cache.backend().name().toLowerCase(), concurrency, miss, hit, hit / miss);
                }
            }
        }
    }

    /** Closed loop over REST binary; every request distinct when {@code distinct}, else all identical. */
    private static double run(int port, int seconds, int concurrency, boolean distinct) throws Exception {
        String header = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,48,192],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + ELEMENTS * 4 + "}}],\"parameters\":{\"binary_data_output\":true}}";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/v2/models/cls/infer");
        AtomicInteger sequence = new AtomicInteger(1);
        return ClosedLoop.rate(concurrency, seconds, () -> {
            ByteBuffer body = ByteBuffer.allocate(header.length() + ELEMENTS * 4).order(ByteOrder.LITTLE_ENDIAN);
            body.put(header.getBytes()).putFloat(distinct ? sequence.getAndIncrement() : 0.5f);
            return client.send(HttpRequest.newBuilder(uri)
                            .header("Inference-Header-Content-Length", Integer.toString(header.length()))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body.array())).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).statusCode() == 200;
        });
    }
}
