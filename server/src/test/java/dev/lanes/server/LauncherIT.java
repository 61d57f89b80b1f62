package dev.lanes.server;

import dev.lanes.server.testing.ChildCommand;
import dev.lanes.server.testing.NodeProcess;
import org.junit.jupiter.api.Test;
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
    void binLanesHelp_listsTheCommands() throws Exception {
        ChildCommand.Outcome help = ChildCommand.run(List.of(Path.of("..", "bin", "lanes").toString(), "help"));
        assertTrue(help.succeeded(), help.output());
        assertTrue(help.output().contains("serve") && help.output().contains("test"), help.output());
    }

}
