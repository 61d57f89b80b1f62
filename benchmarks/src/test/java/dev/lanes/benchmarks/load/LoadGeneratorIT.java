package dev.lanes.benchmarks.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.lanes.benchmarks.suite.ServerProcess;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load generator against a real node on loopback: every protocol gets answers that the
 * node's /metrics counts the same; open loop sends on schedule; overload answers count as
 * rejections and bad requests as errors with their reason. Short runs: this checks the
 * instrument, never the server's speed. The node is the server's jar in its own JVM, as
 * {@code bin/lanes serve} runs it: benchmarks reaches Lanes only over the wire.
 */
class LoadGeneratorIT {
    @TempDir
    static Path work;
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path repository = work.resolve("repo");
        new TestRepository(repository)
                .model("mlp", 1, TestModels.mlp(16, 32, 4, 1))
                .config("mlp", "max_batch_size: 8\ndynamic_batching { }\n")
                // One slow instance with a queue of one: concurrent load must be refused.
                .model("slow", 1, TestModels.slow(64, 400))
                .config("slow", "max_batch_size: 1\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n"
                        + "dynamic_batching { default_queue_policy { max_queue_size: 1 } }\n");
        // The node's default settings, and a drain grace of 0 so that closing it does not wait.
        server = ServerProcess.lanes(Path.of("..", "server", "target", "lanes-server.jar"), repository,
                work.resolve("lanes.log"), List.of("--set", "lanes.server.drain-grace=PT0S"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final ClosedLoop SHORT = new ClosedLoop(2, Duration.ofMillis(200), Duration.ofMillis(300), 3, 0.10);

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void closedLoop_everyRequestAnswered_andMetricsAgree(Protocol protocol) throws Exception {
        try (Target target = new Target("127.0.0.1", server.port(), server.grpcPort(), protocol, Workload.random("mlp", "x", 1, 16), 2)) {
            LoadResult result = SHORT.run(target, protocol.label(), OptionalLong.of(server.pid()), false);
            assertTrue(result.counts().ok() > 0, "answers: " + result);
            assertEquals(0, result.counts().errors(), () -> "errors: " + result.errorReasons());
            assertEquals(result.counts().ok(), result.latency().count(), "one latency per success in the windows");
            assertEquals(3, result.windows().size(), "three windows is the minimum");
            assertNotNull(result.check(), "a Lanes node has /metrics");
            assertTrue(result.check().agrees(), "client " + result.check().clientOk() + " vs server "
                    + result.check().serverSuccess());
            assertTrue(result.check().clientOk() > result.counts().ok(), "the check covers the warm-up too");
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void openLoop_constantArrivals_sendsExactlyTheScheduledRequests(Protocol protocol) throws Exception {
        OpenLoop open = new OpenLoop(200, OpenLoop.Arrival.CONSTANT, Duration.ofMillis(200), Duration.ofSeconds(1), 16);
        try (Target target = new Target("127.0.0.1", server.port(), server.grpcPort(), protocol,
                Workload.random("mlp", "x", 1, 16), 1)) {
            LoadResult result = open.run(target, "open", OptionalLong.empty(), false);
            long scheduled = result.counts().ok() + result.counts().rejected() + result.counts().errors();
            assertTrue(Math.abs(scheduled - 200) <= 1, "200/s for 1 s scheduled " + scheduled);
            assertEquals(0, result.counts().errors() + result.counts().rejected());
            assertTrue(result.check().agrees());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"REST_BINARY", "GRPC"})
    void overload_isCountedAsRejection_notError(Protocol protocol) throws Exception {
        try (Target target = new Target("127.0.0.1", server.port(), server.grpcPort(), protocol, Workload.random("slow", "x", 1, 64), 1)) {
            LoadResult result = new ClosedLoop(8, Duration.ofMillis(100), Duration.ofMillis(300), 3, 0.10)
                    .run(target, "overload", OptionalLong.empty(), false);
            assertTrue(result.counts().rejected() > 0, "a queue of one refuses 8 callers: " + result);
            assertEquals(0, result.counts().errors(), () -> "errors: " + result.errorReasons());
            assertTrue(result.check().agrees(), "rejections are not successes on either side");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"REST_JSON", "GRPC"})
    void badRequests_areErrorsWithTheServersReason(Protocol protocol) throws Exception {
        try (Target target = new Target("127.0.0.1", server.port(), server.grpcPort(), protocol, Workload.random("mlp", "nope", 1, 16), 1)) {
            LoadResult result = SHORT.run(target, "bad", OptionalLong.empty(), false);
            assertEquals(0, result.counts().ok());
            assertTrue(result.counts().errors() > 0);
            String reason = result.errorReasons().keySet().iterator().next();
            assertTrue(reason.contains(protocol == Protocol.GRPC ? "INVALID_ARGUMENT" : "HTTP 400")
                    && reason.contains("nope"), reason);
        }
    }

    @Test
    void commandLine_writesEveryLevelAsJson() throws Exception {
        Path json = work.resolve("results.json");
        int status = LoadGenerator.run(new String[]{"--url", "http://127.0.0.1:" + server.port(), "--model", "mlp",
                "--input", "x:1,16", "--protocol", "rest-json", "--concurrency", "1,2", "--warmup", "0.1",
                "--window", "0.2", "--max-windows", "3", "--json", json.toString(), "--quiet"});
        assertEquals(0, status, "no errors and /metrics agreed");
        int levels = 0;
        try (JsonParser parser = new JsonFactory().createParser(Files.readString(json))) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME && parser.currentName().equals("throughput")) {
                    parser.nextToken();
                    assertTrue(parser.getDoubleValue() > 0);
                    levels++;
                }
            }
        }
        assertEquals(2, levels, "one result per concurrency level");
    }

    @Test
    void splitCores_giveTheServerAndTheGeneratorTheirCpusBack() throws Exception {
        CpuSplit cpus = CpuSplit.choose(false);
        assertTrue(cpus.split(), "this machine has two CPUs and taskset: the cores are split by default");
        List<Integer> serverBefore = CpuSplit.allowedCpusOf(server.pid());
        List<Integer> selfBefore = CpuSplit.allowedCpus();
        int status = LoadGenerator.run(new String[]{"--url", "http://127.0.0.1:" + server.port(), "--model", "mlp",
                "--input", "x:1,16", "--concurrency", "2", "--warmup", "0.1", "--window", "0.2",
                "--max-windows", "3", "--server-pid", Long.toString(server.pid()), "--quiet"});
        assertEquals(0, status);
        assertEquals(serverBefore, CpuSplit.allowedCpusOf(server.pid()), "the server's CPUs are given back");
        assertEquals(selfBefore, CpuSplit.allowedCpus(), "the generator's CPUs are given back");
    }
}
