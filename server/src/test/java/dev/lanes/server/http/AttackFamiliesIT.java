package dev.lanes.server.http;

import com.google.common.util.concurrent.ListenableFuture;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import dev.lanes.server.grpc.proto.ServerLiveRequest;
import dev.lanes.server.testing.ChildCommand;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.NodeProcess;
import dev.lanes.server.testing.ServerFixture;
import dev.lanes.server.testing.SlowModelDepth;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack families the suite keeps (issue 12), against one node process through real sockets
 * on both ports: slow clients on many connections, conflicting framing, a compressed-body bomb,
 * 10^5-deep JSON, NaN and Infinity literals, path traversal through every route that takes a
 * model name, a thousand gRPC calls cancelled in flight and HTTP/2 rapid reset. After each family
 * the node is live, answers a valid request on both protocols correctly, and its threads and open
 * files come back to their level ({@link #nodeRecovered}).
 */
class AttackFamiliesIT {
    private static final int READ_TIMEOUT_MILLIS = 20_000;
    /** The node's header and body timeouts here: a client stuck behind slow ones would wait this long. */
    private static final int CLIENT_TIMEOUT_MILLIS = 3_000;
    private static final long MAX_REQUEST_BYTES = 8L << 20;
    private static final String AFFINE_BODY = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\","
            + "\"data\":[1,2,3,4]}],\"parameters\":{\"cache_bypass\":true}}";
    private static final int SLOW_WIDTH = 1024;
    /** Room for what a JVM starts on first use (JIT and GC workers, a carrier): a leak grows past it. */
    private static final int THREAD_SLACK = 24;
    private static final int FILE_SLACK = 24;
    private static final Path INTEROP = Path.of("src/test/interop").toAbsolutePath();

    @TempDir
    static Path work;
    private static NodeProcess node;
    private static GrpcClient grpc;
    private static int baselineThreads;
    private static int baselineFiles;
    private static long baselineResident;
    private static Path outside;

    @BeforeAll
    static void start() throws Exception {
        Path repository = work.resolve("repository");
        new TestRepository(repository)
                .model("affine", 1, TestModels.affine())
                .model("slow", 1, TestModels.slow(SLOW_WIDTH, SlowModelDepth.forOneSecond(SLOW_WIDTH)))
                .config("slow", "max_batch_size: 64\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n"
                        + "dynamic_batching { default_queue_policy { max_queue_size: 2000 } }\n");
        // A model beside the repository, which no name a client sends may reach.
        outside = work.resolve("evil");
        new TestRepository(work).model("evil", 1, TestModels.affine());
        node = NodeProcess.start("--model-repository", repository.toString(),
                "--model-control-mode", "explicit", "--load-model", "*",
                "--set", "lanes.server.max-request-size=" + MAX_REQUEST_BYTES,
                "--set", "lanes.http.header-timeout=PT" + CLIENT_TIMEOUT_MILLIS / 1000 + "S",
                "--set", "lanes.http.body-timeout=PT" + CLIENT_TIMEOUT_MILLIS / 1000 + "S");
        grpc = new GrpcClient(node.grpcPort());
        for (int i = 0; i < 50; i++) { // warm both paths, so the baseline holds what serving needs
            nodeServes();
        }
        baselineThreads = threads();
        baselineFiles = openFiles();
        baselineResident = node.residentBytes();
    }

    @AfterAll
    static void stop() throws Exception {
        if (grpc != null) {
            grpc.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void nodeRecovered() throws Exception {
        nodeServes();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((threads() > baselineThreads + THREAD_SLACK || openFiles() > baselineFiles + FILE_SLACK
                || node.residentBytes() >= baselineResident + (384L << 20)) && System.nanoTime() < end) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        assertTrue(threads() <= baselineThreads + THREAD_SLACK, "threads " + threads() + ", " + baselineThreads + " before");
        assertTrue(openFiles() <= baselineFiles + FILE_SLACK, "open files " + openFiles() + ", " + baselineFiles + " before");
        // The node returns memory within a minute (MemoryReturnIT); nothing here should keep hundreds of MiB.
        assertTrue(node.residentBytes() < baselineResident + (384L << 20),
                "resident " + (node.residentBytes() >> 20) + " MiB, " + (baselineResident >> 20) + " MiB before");
    }

    /** A valid request on each protocol, answered with the affine model's values. */
    private static void nodeServes() throws Exception {
        double[] expected = TestModels.affineExpected(new float[]{1, 2, 3, 4});
        RawHttp.Reply good = RawHttp.exchange(node.port(), post("/v2/models/affine/infer", AFFINE_BODY, ""),
                READ_TIMEOUT_MILLIS);
        assertEquals(200, good.status(), good.text());
        var data = ServerFixture.json(good.body()).get("outputs").get(0).get("data");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], data.get(i).asDouble(), 1e-5, good.body());
        }
        ModelInferResponse response = grpc.blocking().withDeadlineAfter(20, TimeUnit.SECONDS).modelInfer(
                GrpcClient.rawRequest("affine", "x", "FP32", new long[]{1, 4}, GrpcClient.floatBytes(1, 2, 3, 4)).build());
        float[] values = GrpcClient.floats(response.getRawOutputContents(0));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], values[i], 1e-5);
        }
    }

    @Test
    void slowHeadsAndSlowBodies_onManyConnections_doNotHoldUpANormalClient() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 150; i++) {
                Socket socket = new Socket("127.0.0.1", node.port());
                socket.getOutputStream().write("POST /v2/models/affine/infer HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                slow.add(socket);
            }
            for (int i = 0; i < 50; i++) {
                Socket socket = new Socket("127.0.0.1", node.port());
                socket.getOutputStream().write(("POST /v2/models/affine/infer HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"inputs\":[").getBytes(StandardCharsets.US_ASCII));
                slow.add(socket);
            }
            // Trickle a byte on each while a normal client keeps asking; the node's own timeouts end the slow ones.
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLIENT_TIMEOUT_MILLIS + 1000);
            int answered = 0;
            while (System.nanoTime() < end) {
                for (Socket socket : slow) {
                    try {
                        socket.getOutputStream().write(' ');
                    } catch (IOException closedByTheNode) {
                        // the node timed it out: what it should do
                    }
                }
                long start = System.nanoTime();
                RawHttp.Reply reply = RawHttp.exchange(node.port(), post("/v2/models/affine/infer", AFFINE_BODY, ""),
                        READ_TIMEOUT_MILLIS);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(200, reply.status(), reply.text());
                assertTrue(millis < CLIENT_TIMEOUT_MILLIS, "a normal request waited " + millis + " ms behind slow clients");
                answered++;
            }
            assertTrue(answered > 0);
            for (Socket socket : slow) { // each was answered 408 or closed by the node's timeouts
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                RawHttp.Reply reply = RawHttp.readAll(socket);
                assertTrue(reply.closed(), "a slow client's connection stays open: " + reply.text());
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void contentLengthWithTransferEncoding_isRefused_andTheBodyIsNeverARequest() throws Exception {
        String smuggled = "GET /v2/models/affine/stats HTTP/1.1\r\nHost: x\r\n\r\n";
        RawHttp.Reply reply = RawHttp.exchange(node.port(), "POST /v2/models/affine/infer HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: " + (5 + smuggled.length()) + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
                READ_TIMEOUT_MILLIS);
        assertEquals(400, reply.status(), reply.text());
        assertEquals(1, reply.responses(), reply.text());
        assertTrue(reply.closed());
    }

    /** 64 MiB of zeros in 64 KiB of gzip, against an 8 MiB request limit. */
    @Test
    void compressedBodyBomb_isNeverInflatedPastTheLimit() throws Exception {
        byte[] bomb = gzipOfZeros(64 << 20);
        byte[] head = ("POST /v2/models/affine/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Encoding: gzip\r\nContent-Length: " + bomb.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        RawHttp.Reply reply;
        // The head alone is refused, so read the answer before sending the body: a close over
        // unread body bytes makes Linux send RST, which may discard the answer before it is read.
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.getOutputStream().write(head);
            reply = RawHttp.readAll(socket);
            try {
                socket.getOutputStream().write(bomb);
            } catch (IOException closed) {
                // the node closed after its answer: the bomb is never read
            }
        }
        assertEquals(415, reply.status(), reply.text()); // no body is inflated: any coding but identity is refused
        assertTrue(reply.body().startsWith("{\"error\":\"content coding 'gzip' is not supported"), reply.text());

        // gRPC's own compression: grpc-java inflates under the message limit, never past it.
        byte[] zeros = new byte[48 << 20];
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> grpc.blocking()
                .withCompression("gzip").withDeadlineAfter(30, TimeUnit.SECONDS)
                .modelInfer(GrpcClient.rawRequest("affine", "x", "FP32", new long[]{zeros.length / 16, 4}, zeros).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode(), refused.getStatus().toString());
    }

    @Test
    void jsonNested100000Deep_isRefused_whereverItIs() throws Exception {
        String deep = "[".repeat(100_000) + "1" + "]".repeat(100_000);
        for (String body : List.of(
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":" + deep + "}]}",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4],\"parameters\":{\"p\":"
                        + deep + "}}]}",
                "{\"parameters\":{\"p\":" + deep + "},\"inputs\":[]}")) {
            RawHttp.Reply reply = RawHttp.exchange(node.port(), post("/v2/models/affine/infer", body, ""), READ_TIMEOUT_MILLIS);
            assertEquals(400, reply.status(), reply.text());
        }
        RawHttp.Reply load = RawHttp.exchange(node.port(), post("/v2/repository/models/affine/load",
                "{\"parameters\":{\"config\":" + jsonString(deep) + "}}", ""), READ_TIMEOUT_MILLIS);
        assertEquals(400, load.status(), load.text());
        RawHttp.Reply loadBody = RawHttp.exchange(node.port(), post("/v2/repository/models/affine/load",
                "{\"parameters\":" + deep + "}", ""), READ_TIMEOUT_MILLIS);
        assertEquals(400, loadBody.status(), loadBody.text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "+Infinity", "nan", "\"NaN\""})
    void nanAndInfinityLiterals_areRefused(String literal) throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(node.port(), post("/v2/models/affine/infer",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3," + literal + "]}]}", ""),
                READ_TIMEOUT_MILLIS);
        assertEquals(400, reply.status(), reply.text());
        assertTrue(reply.body().startsWith("{\"error\":"), reply.text());
    }

    /** Every route with a model name, with names that try to leave the repository. */
    @Test
    void pathTraversal_throughEveryModelRoute_neverReachesAFileOutsideTheRepository() throws Exception {
        String absolute = outside.toString().replace("/", "%2F");
        List<String> names = List.of("..", "%2e%2e", "%2E%2E", "..%2Fevil", "..%2fevil", "%2e%2e%2fevil", "..%5Cevil",
                ".%2E/evil", "../evil", absolute, "%2F..%2F..%2Fetc%2Fpasswd", "affine%2F..%2F..%2Fevil", "%00evil",
                "evil%00");
        List<String> routes = List.of("GET /v2/models/%s", "GET /v2/models/%s/ready", "GET /v2/models/%s/config",
                "GET /v2/models/%s/stats", "POST /v2/models/%s/infer", "GET /v2/models/%s/versions/1",
                "POST /v2/models/%s/versions/1/infer", "POST /v2/repository/models/%s/load",
                "POST /v2/repository/models/%s/unload");
        for (String name : names) {
            for (String route : routes) {
                String[] methodAndPath = String.format(route, name).split(" ", 2);
                String body = methodAndPath[1].endsWith("/infer") ? AFFINE_BODY : "{}";
                RawHttp.Reply reply = RawHttp.exchange(node.port(), methodAndPath[0] + " " + methodAndPath[1]
                        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body, READ_TIMEOUT_MILLIS);
                int status = reply.status();
                assertTrue(status == 400 || status == 404, route + " with '" + name + "': " + reply.text());
                assertTrue(reply.body().startsWith("{\"error\":"), route + " with '" + name + "': " + reply.text());
            }
        }
        RawHttp.Reply index = RawHttp.exchange(node.port(), post("/v2/repository/index", "{}", ""), READ_TIMEOUT_MILLIS);
        assertEquals(200, index.status(), index.text());
        assertFalse(index.body().contains("evil"), "a model outside the repository shows in the index: " + index.body());
        assertTrue(Files.exists(outside), "the model outside was there to be reached");
    }

    @Test
    void aThousandGrpcCallsCancelledInFlight_leaveNothingQueuedOrLeased() throws Exception {
        byte[] row = new byte[4 * SLOW_WIDTH];
        ModelInferRequest request = GrpcClient.rawRequest("slow", "x", "FP32", new long[]{1, SLOW_WIDTH}, row).build();
        List<ListenableFuture<ModelInferResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            calls.add(grpc.future().withDeadlineAfter(60, TimeUnit.SECONDS).modelInfer(request));
        }
        awaitMetric("inference_queue_length{model=\"slow\"}", depth -> depth > 0);
        calls.forEach(call -> call.cancel(true));
        awaitMetric("inference_queue_length{model=\"slow\"}", depth -> depth == 0);
        awaitMetric("inference_inflight_requests", inFlight -> inFlight == 0);
        assertTrue(grpc.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    }

    @Test
    void http2RapidReset_endsTheConnection_andTheNodeServesOthers() throws Exception {
        ChildCommand.Outcome run = ChildCommand.run(List.of("node", INTEROP.resolve("node/rapid_reset.js").toString(),
                "--grpc-port", Integer.toString(node.grpcPort()), "--streams", "40000"));
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("interop rapid-reset: 2 cases, 0 failed"), run.output());
    }

    private static void awaitMetric(String series, java.util.function.DoublePredicate condition) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        double value = ServerFixture.metric(node.port(), series);
        while (!condition.test(value)) {
            assertTrue(System.nanoTime() < end, series + " stays at " + value);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            value = ServerFixture.metric(node.port(), series);
        }
    }

    private static String post(String path, String body, String headers) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + headers
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
    }

    private static String jsonString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static byte[] gzipOfZeros(int size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(out)) {
            byte[] zeros = new byte[1 << 16];
            for (int left = size; left > 0; left -= zeros.length) {
                gzip.write(zeros, 0, Math.min(zeros.length, left));
            }
        }
        return out.toByteArray();
    }

    private static int threads() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(node.pid()), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).trim());
            }
        }
        throw new IOException("no thread count");
    }

    private static int openFiles() throws IOException {
        try (var files = Files.list(Path.of("/proc", Long.toString(node.pid()), "fd"))) {
            return (int) files.count();
        }
    }
}
