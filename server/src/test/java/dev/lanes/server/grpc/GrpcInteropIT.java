package dev.lanes.server.grpc;

import dev.lanes.server.testing.ChildCommand;
import dev.lanes.server.testing.ServerFixture;
import dev.lanes.server.testing.InteropNode;
import dev.lanes.server.testing.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interop matrix from gRPC clients of other implementations than grpc-java, each with stubs
 * made by its own ecosystem's tool from the project's proto: Python {@code grpcio} (C-core, with
 * {@code grpc_tools.protoc}) and Node {@code @grpc/grpc-js} (its own HTTP/2 stack, with
 * {@code @grpc/proto-loader}), against a node started with {@code bin/lanes serve} as a user
 * would, on the matrix's repository ({@link InteropNode}). Plus gRPC's framing by hand over
 * curl's HTTP/2 (nghttp2) for the health rpc. The clients are in {@code src/test/interop}.
 */
class GrpcInteropIT {
    private static final Path INTEROP = Path.of("src", "test", "interop");

    @TempDir
    static Path directory;
    static NodeProcess node;

    @BeforeAll
    static void start() throws Exception {
        Path repository = directory.resolve("models");
        InteropNode.writeRepository(repository);
        node = NodeProcess.start("--model-repository", repository.toString(),
                "--model-control-mode", "explicit", "--load-model", "*",
                "--set", "lanes.server.management-token=" + InteropNode.TOKEN,
                "--set", "lanes.server.max-request-size=1048576",
                "--set", "lanes.server.max-tensor-elements=1048576",
                "--set", "lanes.server.strict-readiness=false");
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    private static List<String> protoPaths(String flag) {
        List<String> paths = new ArrayList<>();
        for (Path path : List.of(Path.of("src", "main", "proto"), Path.of("..", "model-runtime", "src", "main", "proto"),
                INTEROP.resolve("proto"))) {
            paths.add(flag);
            paths.add(path.toAbsolutePath().normalize().toString());
        }
        return paths;
    }

    private static List<String> ports() {
        return List.of("--rest-port", Integer.toString(node.port()), "--grpc-port", Integer.toString(node.grpcPort()));
    }

    @Test
    void pythonGrpcio_passesTheWholeMatrix() throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3",
                INTEROP.resolve("python/interop.py").toString()));
        command.addAll(ports());
        command.addAll(protoPaths("--proto-path"));
        command.addAll(List.of("--work", Files.createDirectories(directory.resolve("python")).toString()));
        assertPassed(ChildCommand.run(command));
    }

    @Test
    void nodeGrpcJs_passesTheWholeMatrix() throws Exception {
        Path work = Files.createDirectories(directory.resolve("node"));
        for (String file : List.of("interop.js", "package.json", "package-lock.json")) {
            Files.copy(INTEROP.resolve("node").resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        ChildCommand.Outcome install = ChildCommand.run(List.of("npm", "ci", "--no-audit", "--no-fund",
                "--prefix", work.toString()));
        assertTrue(install.succeeded(), "npm ci: " + install.output());
        List<String> command = new ArrayList<>(List.of("node", work.resolve("interop.js").toString()));
        command.addAll(ports());
        command.addAll(protoPaths("--proto-path"));
        assertPassed(ChildCommand.run(command));
    }

    /**
     * Frames no gRPC library sends (issue 17 item 9), from Node's own http2 module: every stream is
     * answered and a good call works after each; 200 malformed streams cost at most a log line or
     * two (no stack traces) and show up in lanes_protocol_errors_total.
     */
    @Test
    void malformedHttp2Streams_areEachAnswered_andLoggedSparingly() throws Exception {
        int before = countLines(node.laterOutput(), "NettyServerHandler");
        assertPassed(ChildCommand.run(List.of("node", INTEROP.resolve("node/framing.js").toString(),
                "--grpc-port", Integer.toString(node.grpcPort()), "--flood", "200")));
        String logged = node.laterOutput();
        assertTrue(countLines(logged, "NettyServerHandler") - before <= 2, logged);
        assertTrue(logged.lines().noneMatch(line -> line.startsWith("\tat io.grpc")), logged);
        assertTrue(ServerFixture.metric(node.port(), "lanes_protocol_errors_total{protocol=\"grpc\",reason=\"transport\"}")
                >= 20, "the malformed streams were not counted");
    }

    private static int countLines(String text, String fragment) {
        return (int) text.lines().filter(line -> line.contains(fragment)).count();
    }

    private static void assertPassed(ChildCommand.Outcome run) {
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().lines().anyMatch(line -> line.matches("interop \\w+: \\d+ cases, 0 failed")), run.output());
        assertTrue(run.output().lines().noneMatch(line -> line.startsWith("FAIL")), run.output());
    }

    /**
     * grpc.health.v1.Health/Check with gRPC's 5-byte message framing written by hand, over curl's
     * HTTP/2 with prior knowledge: an empty request, and an answer of status SERVING (field 1 = 1)
     * with grpc-status 0 in the trailers.
     */
    @Test
    void rawHttp2Frames_fromCurl_healthCheckAnswersServing() throws Exception {
        Path request = directory.resolve("health-request.bin");
        Files.write(request, new byte[5]);
        Path body = directory.resolve("health-response.bin");
        ChildCommand.Outcome curl = ChildCommand.run(List.of("curl", "-sS", "--http2-prior-knowledge",
                "-H", "content-type: application/grpc", "-H", "te: trailers",
                "--data-binary", "@" + request, "-D", "-", "-o", body.toString(), "--max-time", "10",
                "http://127.0.0.1:" + node.grpcPort() + "/grpc.health.v1.Health/Check"));
        assertTrue(curl.succeeded(), curl.output());
        assertTrue(curl.output().startsWith("HTTP/2 200"), curl.output());
        assertTrue(curl.output().lines().anyMatch(line -> line.trim().equals("grpc-status: 0")), curl.output());
        assertEquals(List.of(0, 0, 0, 0, 2, 8, 1), toList(Files.readAllBytes(body)));
    }

    private static List<Integer> toList(byte[] bytes) {
        List<Integer> values = new ArrayList<>();
        for (byte b : bytes) {
            values.add(b & 0xff);
        }
        return values;
    }
}
