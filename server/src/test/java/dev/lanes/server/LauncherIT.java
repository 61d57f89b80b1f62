package dev.lanes.server;

import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.ChildCommand;
import dev.lanes.server.testing.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command and its curl example, exactly as written there. */
class LauncherIT {
    @Test
    void binLanesServe_servesTheDemoRepositoryAndAnswersTheReadmeCurl() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher curl = Pattern.compile("-d '(\\{.*?\\})'\\n# (\\{.*?\\})\\n").matcher(readme);
        assertTrue(curl.find(), "README shows a curl inference and its answer");

        NodeProcess node = NodeProcess.start();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/v2/models/affine/infer"))
                            .POST(HttpRequest.BodyPublishers.ofString(curl.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals(curl.group(2), response.body());
            assertFalse(node.startupOutput().contains("sun.misc.Unsafe"),
                    "the first lines a user sees are Lanes': " + node.startupOutput());
        } finally {
            assertTrue(node.stop(), "the node stops on SIGTERM");
        }
    }

    /** The README's gRPC line: curl speaking HTTP/2 with prior knowledge, gRPC's framing by hand. */
    @Test
    void binLanesServe_answersTheReadmeGrpcCurl() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher grpcCurl = Pattern.compile("\\n(printf .*?\\| od -An -tx1)\\n#\\s+([0-9a-f ]+)\\n", Pattern.DOTALL)
                .matcher(readme);
        assertTrue(grpcCurl.find(), "README shows a gRPC call with curl and its answer");
        NodeProcess node = NodeProcess.start();
        try {
            String command = grpcCurl.group(1).replace("\\\n", " ")
                    .replace("localhost:8001", "127.0.0.1:" + node.grpcPort());
            ChildCommand.Outcome outcome = ChildCommand.run(List.of("bash", "-c", command));
            assertTrue(outcome.succeeded(), outcome.output());
            assertEquals(grpcCurl.group(2).trim(), outcome.output().trim());
        } finally {
            assertTrue(node.stop(), "the node stops on SIGTERM");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--port", "--grpc-port"})
    void portInUse_exitsNonZeroWithOneClearLine(String flag) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String port = Integer.toString(taken.getLocalPort());
            List<String> command = new ArrayList<>(List.of(Path.of("..", "bin", "lanes").toString(), "serve",
                    "--host", "127.0.0.1", "--port", "0", "--grpc-port", Integer.toString(NodeProcess.freePort())));
            command.addAll(List.of(flag, port));
            ChildCommand.Outcome outcome = ChildCommand.run(command);
            assertEquals(1, outcome.exitCode(), outcome.output());
            String protocol = flag.equals("--port") ? "REST" : "gRPC";
            List<String> errors = outcome.output().lines().filter(line -> line.startsWith("lanes: ")).toList();
            assertEquals(List.of("lanes: cannot listen for " + protocol + " on 127.0.0.1:" + port
                    + " (is the port in use?)"), errors, outcome.output());
            assertFalse(outcome.output().contains("Lanes listening"), outcome.output());
        }
    }

    @Test
    void exitOnError_aModelThatFailsToLoadStopsTheNodeWithItsReason(@TempDir Path repository) throws Exception {
        new TestRepository(repository).model("affine", 1, TestModels.affine()).corrupt("broken", 1);
        List<String> command = List.of(Path.of("..", "bin", "lanes").toString(), "serve", "--host", "127.0.0.1",
                "--port", "0", "--grpc-port", "0", "--model-repository", repository.toString(),
                "--set", "lanes.exit-on-error=true");
        ChildCommand.Outcome outcome = ChildCommand.run(command);
        assertEquals(1, outcome.exitCode(), outcome.output());
        List<String> errors = outcome.output().lines().filter(line -> line.startsWith("lanes: ")).toList();
        assertEquals(1, errors.size(), outcome.output());
        assertTrue(errors.get(0).startsWith("lanes: models failed to load and lanes.exit-on-error is set: model broken"),
                errors.get(0));
        assertFalse(outcome.output().contains("Lanes listening"), outcome.output());
    }

    /** Without lanes.exit-on-error the same repository gives a live node that is not ready. */
    @Test
    void withoutExitOnError_theNodeStaysLiveAndUnready(@TempDir Path repository) throws Exception {
        new TestRepository(repository).model("affine", 1, TestModels.affine())
                .config("affine", "instance_group [{ count: 2 kind: KIND_CPU }]\n").corrupt("broken", 1);
        NodeProcess node = NodeProcess.start("--model-repository", repository.toString(), "--set", "lanes.cpus=4");
        try {
            HttpClient client = HttpClient.newHttpClient();
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                    + "/v2/health/live")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(503, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                    + "/v2/health/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            // lanes.cpus, not the host's processors, sizes ONNX Runtime's threads: 4 CPUs over 2 instances
            assertTrue(node.startupOutput().contains("sizing threads for 4 CPU(s) (lanes.cpus"), node.startupOutput());
            assertTrue(node.startupOutput().contains("model affine version 1 ready on CPU with 2 instance(s) of 2 intra-op"),
                    node.startupOutput());
        } finally {
            assertTrue(node.stop(), "the node stops on SIGTERM");
        }
    }

    @Test
    void binLanesHelp_listsTheCommands() throws Exception {
        ChildCommand.Outcome help = ChildCommand.run(List.of(Path.of("..", "bin", "lanes").toString(), "help"));
        assertTrue(help.succeeded(), help.output());
        assertTrue(help.output().contains("serve") && help.output().contains("test"), help.output());
    }

}
