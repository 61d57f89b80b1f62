package dev.lanes.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image as deploy/Dockerfile lays it out, without a Docker engine (there is none here): the
 * trimmed runtime linked with this JDK's jlink from JLINK_MODULES, the jars and one platform's
 * ONNX Runtime natives, unpacked (deploy/keep-ort-platform.sh), started with the Dockerfile's ENTRYPOINT
 * flags. It serves REST, gRPC and metrics, and its jcmd and JFR work on the running node.
 */
class JlinkRuntimeIT {
    @TempDir
    Path directory;

    @Test
    void theImagesRuntimeAndJars_serveAndCanBeDiagnosed() throws Exception {
        String dockerfile = Files.readString(Path.of("..", "deploy", "Dockerfile"));
        Matcher modules = Pattern.compile("ARG JLINK_MODULES=(\\S+)").matcher(dockerfile);
        assertTrue(modules.find(), "the Dockerfile names its jlink modules");
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path runtime = directory.resolve("jre");
        ChildCommand.Outcome jlink = ChildCommand.run(List.of(javaHome.resolve("bin/jlink").toString(),
                "--add-modules", modules.group(1),
                "--strip-debug", "--no-man-pages", "--no-header-files", "--output", runtime.toString()));
        assertTrue(jlink.succeeded(), jlink.output());

        Path app = directory.resolve("app");
        Files.createDirectories(app.resolve("libs"));
        Files.copy(Path.of("target", "lanes-server.jar"), app.resolve("lanes-server.jar"));
        try (Stream<Path> libs = Files.list(Path.of("target", "libs"))) {
            for (Path lib : libs.toList()) {
                Files.copy(lib, app.resolve("libs").resolve(lib.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        String platform = System.getProperty("os.arch").toLowerCase(Locale.ROOT).contains("aarch64")
                ? "linux-aarch64" : "linux-x64";
        // a relative directory, as the Dockerfile passes server/target/libs; the natives go to app/native
        ChildCommand.Outcome strip = ChildCommand.run(List.of(
                Path.of("..", "deploy", "keep-ort-platform.sh").toAbsolutePath().toString(), "app/libs", platform,
                "app/native"), directory);
        assertTrue(strip.succeeded(), strip.output());
        assertEquals(Set.of(), nativePlatforms(app.resolve("libs")), "the jars keep no natives");
        assertTrue(Files.isRegularFile(app.resolve("native").resolve("libonnxruntime.so"))
                && Files.isRegularFile(app.resolve("native").resolve("libonnxruntime4j_jni.so")),
                "the platform's natives lie unpacked in app/native");

        Path demoModels = Path.of("demo-models").toAbsolutePath();
        List<String> command = entrypoint(dockerfile, runtime, app);
        String useCache = "-XX:AOTCache=" + app.resolve("lanes.aot");
        assertTrue(command.contains(useCache), "the ENTRYPOINT uses the class cache");
        if (Runtime.version().feature() >= 25) {
            // The image's training run, with the image's runtime; the cache lies where the ENTRYPOINT looks.
            ChildCommand.Outcome training = ChildCommand.run(List.of(
                    Path.of("..", "deploy", "train-aot-cache.sh").toAbsolutePath().toString(),
                    runtime.resolve("bin/java").toString(), app.toString(), demoModels.toString(),
                    app.resolve("lanes.aot").toString()));
            assertTrue(training.succeeded() && Files.size(app.resolve("lanes.aot")) > 0, training.output());
            // AOTMode=on: the JVM refuses to start unless it can use the cache (the image itself says auto)
            command.add(1, "-XX:AOTMode=on");
        } else {
            command.remove(useCache); // the image is built on JDK 25; older JDKs have no AOT cache
        }
        command.addAll(List.of("serve", "--host", "127.0.0.1", "--port", "0",
                "--grpc-port", Integer.toString(NodeProcess.freePort()),
                "--model-repository", demoModels.toString()));
        assertTrue(command.contains("-Donnxruntime.native.path=" + app.resolve("native")),
                "the ENTRYPOINT loads ONNX Runtime's natives from where they were unpacked");
        // the jars keep no natives, so the node serves only if ONNX Runtime loads the unpacked ones
        NodeProcess server = NodeProcess.startCommand(command);
        assertFalse(server.startupOutput().contains("[warning]"), "the JVM starts without warnings: "
                + server.startupOutput());
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

            // What an operator runs in the pod: kubectl exec ... -- jcmd 1 <command>
            String jcmd = runtime.resolve("bin/jcmd").toString();
            String pid = Long.toString(server.pid());
            ChildCommand.Outcome threads = ChildCommand.run(List.of(jcmd, pid, "Thread.print"));
            assertTrue(threads.succeeded() && threads.output().contains("\"main\""), threads.output());
            Path recording = directory.resolve("lanes.jfr");
            ChildCommand.Outcome jfr = ChildCommand.run(List.of(jcmd, pid, "JFR.start", "name=check", "settings=profile"));
            assertTrue(jfr.succeeded() && jfr.output().contains("Started recording"), jfr.output());
            ChildCommand.Outcome dump = ChildCommand.run(List.of(jcmd, pid, "JFR.dump", "name=check",
                    "filename=" + recording));
            assertTrue(dump.succeeded(), dump.output());
            assertTrue(Files.size(recording) > 0, "the recording was written");
        } finally {
            assertTrue(server.stop(), "the node stops on SIGTERM");
        }
        assertTrue(server.awaitOutput("drain finished", 10),
                "the entrypoint's LogManager keeps logging through the drain: " + server.laterOutput());
    }

    /** The Dockerfile's ENTRYPOINT with the image's paths mapped to the ones built here. */
    private static List<String> entrypoint(String dockerfile, Path runtime, Path app) throws Exception {
        Matcher entry = Pattern.compile("(?m)^ENTRYPOINT (\\[.*])$").matcher(dockerfile);
        assertTrue(entry.find(), "the Dockerfile has an exec-form ENTRYPOINT");
        List<String> command = new ArrayList<>();
        for (JsonNode part : Manifests.json().readTree(entry.group(1))) {
            command.add(part.asText().replace("/opt/lanes/jre", runtime.toString()).replace("/opt/lanes/app", app.toString()));
        }
        assertEquals(runtime.resolve("bin/java").toString(), command.get(0));
        return command;
    }

    private static Set<String> nativePlatforms(Path libs) throws Exception {
        Set<String> platforms = new TreeSet<>();
        try (Stream<Path> jars = Files.list(libs)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().startsWith("onnxruntime")).toList()) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    zip.stream().map(e -> e.getName()).filter(n -> n.startsWith("ai/onnxruntime/native/"))
                            .map(n -> n.substring("ai/onnxruntime/native/".length()).split("/")[0])
                            .filter(n -> !n.isEmpty()).forEach(platforms::add);
                }
            }
        }
        return platforms;
    }
}
