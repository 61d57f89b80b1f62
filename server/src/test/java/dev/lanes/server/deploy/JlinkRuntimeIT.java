package dev.lanes.server.deploy;

import dev.lanes.server.grpc.proto.ServerLiveRequest;
import dev.lanes.server.testing.ChildCommand;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image's trimmed runtime (deploy/Dockerfile's JLINK_MODULES) runs the server: there is no
 * Docker engine here, so the runtime is linked with this JDK's jlink and the jar served with it.
 */
class JlinkRuntimeIT {
    @TempDir
    Path directory;

    @Test
    void dockerfileModules_runTheServer() throws Exception {
        String dockerfile = Files.readString(Path.of("..", "deploy", "Dockerfile"));
        Matcher modules = Pattern.compile("ARG JLINK_MODULES=(\\S+)").matcher(dockerfile);
        assertTrue(modules.find(), "the Dockerfile names its jlink modules");
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path runtime = directory.resolve("jre");
        ChildCommand.Outcome jlink = ChildCommand.run(List.of(javaHome.resolve("bin/jlink").toString(),
                "--add-modules", modules.group(1),
                "--strip-debug", "--no-man-pages", "--no-header-files", "--output", runtime.toString()));
        assertTrue(jlink.succeeded(), jlink.output());

        NodeProcess server = NodeProcess.startCommand(List.of(runtime.resolve("bin/java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dlanes.home=" + Path.of("..").toAbsolutePath().normalize(),
                "-jar", "target/lanes-server.jar", "serve", "--host", "127.0.0.1", "--port", "0",
                "--grpc-port", Integer.toString(NodeProcess.freePort())));
        try {
            int port = server.port();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v2/models/affine/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("process_cpu_usage") && metrics.contains("jvm_memory_used_bytes"),
                    "JVM and process meters work on the trimmed runtime");
            try (GrpcClient grpc = new GrpcClient(server.grpcPort())) {
                assertTrue(grpc.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive(),
                        "grpc-java's Netty server runs on the trimmed runtime");
            }
        } finally {
            server.close();
        }
    }
}
