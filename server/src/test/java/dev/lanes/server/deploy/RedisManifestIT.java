package dev.lanes.server.deploy;

import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.LanesServer;
import dev.lanes.server.config.ConfigKeys;
import dev.lanes.server.config.LanesConfig;
import dev.lanes.server.config.ServerConfig;
import dev.lanes.server.testing.NodeProcess;
import dev.lanes.server.testing.ServerFixture;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis started exactly as deploy/k8s/redis runs it (its command and args, the password in the
 * environment as the Secret puts it there), and Lanes configured as the Deployment configures it
 * (URL and password file from the environment): AUTH works, the password is on no command line,
 * and a wrong password costs cache lookups, not requests.
 */
class RedisManifestIT {
    private static final String INFER = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5,6,7,8]}]}";

    @TempDir
    Path directory;
    private final String password = HexFormat.of().formatHex(SecureRandom.getSeed(16));
    private Process redis;
    private int redisPort;

    @BeforeEach
    void startRedisAsTheManifestDoes() throws Exception {
        Container container = Manifests.all(Manifests.render(Manifests.ROOT.resolve("redis")), Deployment.class).get(0)
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        redisPort = NodeProcess.freePort();
        List<String> command = new ArrayList<>(container.getCommand());
        command.addAll(container.getArgs());
        // Only where it listens and keeps its (unused) files differs from the pod.
        command.addAll(List.of("--port", Integer.toString(redisPort), "--bind", "127.0.0.1", "--dir", directory.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("redis.log").toFile());
        builder.environment().put("REDIS_PASSWORD", password);
        redis = builder.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!answers(redisPort)) {
            assertTrue(redis.isAlive() && System.nanoTime() < end, "Redis did not start: "
                    + Files.readString(directory.resolve("redis.log")));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @AfterEach
    void stopRedis() throws Exception {
        redis.destroy();
        if (!redis.waitFor(10, TimeUnit.SECONDS)) {
            redis.destroyForcibly();
        }
    }

    @Test
    void redisRequiresThePassword_whichIsOnNoCommandLine() throws Exception {
        assertTrue(command(redisPort, "PING").startsWith("-NOAUTH"), "unauthenticated clients are refused");
        String arguments = Files.readString(Path.of("/proc", Long.toString(redis.pid()), "cmdline"));
        assertTrue(arguments.startsWith("redis-server"), "exec left redis-server as the process: " + arguments);
        assertFalse(arguments.contains(password), "the password is not among its arguments");
    }

    @Test
    void lanesWithThePasswordFile_sharesPredictionsThroughRedis() throws Exception {
        Path secret = Files.writeString(directory.resolve("password"), password + "\n");
        try (LanesServer node = startLanes(secret)) {
            assertEquals(200, infer(node).statusCode());
            assertEquals(200, infer(node).statusCode());
            assertEquals(1.0, ServerFixture.metric(node.port(),
                    "inference_cache_requests_total{model=\"affine\",result=\"hit\"}"), "the second answer came from Redis");
            assertEquals(0.0, ServerFixture.metric(node.port(),
                    "inference_cache_requests_total{model=\"affine\",result=\"error\"}"));
        }
    }

    @Test
    void lanesWithAWrongPassword_stillAnswersFromTheModel() throws Exception {
        Path secret = Files.writeString(directory.resolve("password"), "not-" + password);
        try (LanesServer node = startLanes(secret)) {
            assertEquals(200, infer(node).statusCode());
            assertEquals(200, infer(node).statusCode());
            assertEquals(0.0, ServerFixture.metric(node.port(),
                    "inference_cache_requests_total{model=\"affine\",result=\"hit\"}"));
            assertTrue(ServerFixture.metric(node.port(),
                    "inference_cache_requests_total{model=\"affine\",result=\"error\"}") >= 1, "refused AUTH is an error");
        }
    }

    /** A node configured from the environment as the Deployment's env sets it, Redis only (no local tier). */
    private LanesServer startLanes(Path passwordFile) throws Exception {
        Path models = directory.resolve("models");
        new TestRepository(models).model("affine", 1, TestModels.affine()).config("affine", "response_cache { enable: true }\n");
        Map<String, String> environment = Map.of(
                ConfigKeys.environmentName(ConfigKeys.CACHE_REDIS_URL), "redis://127.0.0.1:" + redisPort,
                ConfigKeys.environmentName(ConfigKeys.CACHE_REDIS_PASSWORD_FILE), passwordFile.toString(),
                ConfigKeys.environmentName(ConfigKeys.CACHE_BACKEND), "redis",
                ConfigKeys.environmentName(ConfigKeys.CACHE_REDIS_TIMEOUT), "PT1S");
        Map<String, String> flags = Map.of(ConfigKeys.HOST, "127.0.0.1", ConfigKeys.PORT, "0", ConfigKeys.GRPC_PORT, "0",
                ConfigKeys.MODEL_REPOSITORY, models.toString());
        return new LanesServer(ServerConfig.create(LanesConfig.load(flags, Optional.empty(), environment))).start();
    }

    private static HttpResponse<String> infer(LanesServer node) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.port() + "/v2/models/affine/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(INFER)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean answers(int port) {
        try {
            return !command(port, "PING").isEmpty();
        } catch (IOException notYet) {
            return false;
        }
    }

    /** One inline command and the first line of Redis' reply. */
    private static String command(int port, String line) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\r'; b = in.read()) {
                reply.append((char) b);
            }
            return reply.toString();
        }
    }
}
