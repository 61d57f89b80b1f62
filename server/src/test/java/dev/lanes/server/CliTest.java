package dev.lanes.server;

import dev.lanes.cache.CacheSettings;
import dev.lanes.cache.RedisAddress;
import dev.lanes.cache.RedisSettings;
import dev.lanes.cache.RedisTopology;
import dev.lanes.runtime.model.ProviderChoice;
import dev.lanes.server.config.ConfigKeys;
import dev.lanes.server.config.LanesConfig;
import dev.lanes.server.config.ManagementSettings;
import dev.lanes.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    @TempDir
    Path dir;

    @Test
    void parse_serveFlags_becomeConfigKeys() {
        Cli cli = Cli.parse(List.of("serve", "--model-repository", "/models", "--port", "9000",
                "--set", "lanes.server.max-request-size=2048"));
        assertEquals("serve", cli.command());
        assertEquals(Map.of(ConfigKeys.MODEL_REPOSITORY, "/models", ConfigKeys.PORT, "9000",
                ConfigKeys.MAX_REQUEST_SIZE, "2048"), cli.overrides());
    }

    @Test
    void parse_managementFlags_repeatedLoadModelsAccumulate() {
        Cli cli = Cli.parse(List.of("serve", "--model-control-mode", "explicit", "--load-model", "a",
                "--load-model", "b"));
        ServerConfig config = ServerConfig.create(LanesConfig.load(cli.overrides(), Optional.empty(),
                Map.of("LANES_SERVER_MANAGEMENT_TOKEN", "t")));
        assertEquals(ManagementSettings.ControlMode.EXPLICIT, config.management().mode());
        assertEquals(List.of("a", "b"), config.management().loadModels());
        assertEquals(Optional.of("t"), config.management().token());
        assertEquals(ManagementSettings.ControlMode.NONE,
                ServerConfig.create(LanesConfig.load(Map.of(), Optional.empty(), Map.of())).management().mode());
        IllegalArgumentException loadWithoutExplicit = assertThrows(IllegalArgumentException.class, () ->
                ServerConfig.create(LanesConfig.load(Cli.parse(List.of("serve", "--load-model", "a")).overrides(),
                        Optional.empty(), Map.of())));
        assertTrue(loadWithoutExplicit.getMessage().contains(ConfigKeys.MODEL_CONTROL_MODE), loadWithoutExplicit.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.create(LanesConfig.load(
                Map.of(ConfigKeys.MODEL_CONTROL_MODE, "sometimes"), Optional.empty(), Map.of())))
                .getMessage().contains("none, explicit or poll"));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.create(LanesConfig.load(
                Map.of(ConfigKeys.PROTECT_INFERENCE, "true"), Optional.empty(), Map.of())), "protection needs a token");
    }

    @Test
    void parse_helpAndMistakes() {
        assertEquals("help", Cli.parse(List.of()).command());
        assertEquals("help", Cli.parse(List.of("serve", "--help")).command());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cli.parse(List.of("serve", "--porrt", "1")))
                .getMessage().contains("--porrt"));
        assertThrows(IllegalArgumentException.class, () -> Cli.parse(List.of("serve", "--port")));
        assertThrows(IllegalArgumentException.class, () -> Cli.parse(List.of("serve", "--set", "lanes.nope=1")));
        assertThrows(IllegalArgumentException.class, () -> Cli.parse(List.of("launch")));
    }

    @Test
    void load_defaults_matchTheDocumentedOnes() {
        ServerConfig config = ServerConfig.create(LanesConfig.load(Map.of(), Optional.empty(), Map.of()));
        assertEquals(8000, config.port());
        assertEquals(64L << 20, config.maxRequestSize());
        assertEquals(16L << 20, config.maxTensorElements());
        assertTrue(config.strictReadiness());
        assertEquals(ProviderChoice.CPU, config.runtime().executionProvider());
        assertEquals(1024, config.runtime().defaultMaxQueueSize());
        assertEquals(Duration.ZERO, config.runtime().defaultMaxQueueDelay());
    }

    @Test
    void load_precedence_flagsOverEnvironmentOverFileOverDefaults() throws Exception {
        Path file = Files.writeString(dir.resolve("lanes.yaml"), """
                lanes:
                  server:
                    port: 7001
                    max-request-size: 4096
                    max-tensor-elements: 77
                  runtime:
                    default-max-queue-delay: PT0.002S
                """);
        Map<String, String> environment = Map.of("LANES_SERVER_PORT", "7002", "LANES_SERVER_MAX_REQUEST_SIZE", "8192",
                "LANES_RUNTIME_EXECUTION_PROVIDER", "auto");
        ServerConfig config = ServerConfig.create(LanesConfig.load(Map.of(ConfigKeys.PORT, "7003"), Optional.of(file),
                environment));
        assertEquals(7003, config.port(), "flag wins");
        assertEquals(8192, config.maxRequestSize(), "environment beats the file");
        assertEquals(77, config.maxTensorElements(), "file beats defaults");
        assertEquals(Duration.ofMillis(2), config.runtime().defaultMaxQueueDelay());
        assertEquals(ProviderChoice.AUTO, config.runtime().executionProvider());
    }

    @Test
    void create_invalidValues_nameTheKey() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ServerConfig.create(
                LanesConfig.load(Map.of(ConfigKeys.MAX_REQUEST_SIZE, "10"), Optional.empty(), Map.of())));
        assertTrue(error.getMessage().contains(ConfigKeys.MAX_REQUEST_SIZE));
        assertThrows(IllegalArgumentException.class, () -> LanesConfig.load(Map.of(),
                Optional.of(dir.resolve("missing.yaml")), Map.of()));
    }

    @Test
    void redisPassword_isRefusedOnTheCommandLine_andTakenFromTheEnvironmentOrAFile() throws Exception {
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class, () -> Cli.parse(List.of("serve",
                "--set", ConfigKeys.CACHE_REDIS_PASSWORD + "=hunter2")));
        assertTrue(flag.getMessage().contains("LANES_CACHE_REDIS_PASSWORD"), flag.getMessage());
        assertFalse(flag.getMessage().contains("hunter2"), "the refusal does not repeat the secret");
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class, () -> Cli.parse(List.of("serve",
                "--redis", "redis://:hunter2@cache:6379")));
        assertFalse(url.getMessage().contains("hunter2"), url.getMessage());
        assertTrue(Cli.parse(List.of("serve", "--redis", "redis://cache:6379")).overrides()
                .containsKey(ConfigKeys.CACHE_REDIS_URL), "a URL without a password is fine");
        assertTrue(Cli.parse(List.of("serve", "--redis", "redis://alice@cache:6379")).overrides()
                .containsKey(ConfigKeys.CACHE_REDIS_URL), "so is one naming only an ACL user");

        Map<String, String> redis = Map.of(ConfigKeys.CACHE_REDIS_URL, "redis://cache:6379");
        ServerConfig fromEnvironment = ServerConfig.create(LanesConfig.load(redis, Optional.empty(),
                Map.of("LANES_CACHE_REDIS_PASSWORD", "from-env")));
        assertEquals("from-env", fromEnvironment.cache().redis().password());
        assertFalse(fromEnvironment.cache().redis().toString().contains("from-env"), "settings never print it");

        Path secret = Files.writeString(dir.resolve("password"), "from-file\n"); // as `echo` writes a Secret
        ServerConfig fromFile = ServerConfig.create(LanesConfig.load(redis, Optional.empty(),
                Map.of("LANES_CACHE_REDIS_PASSWORD_FILE", secret.toString())));
        assertEquals("from-file", fromFile.cache().redis().password());

        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> ServerConfig.create(
                LanesConfig.load(redis, Optional.empty(), Map.of("LANES_CACHE_REDIS_PASSWORD", "a",
                        "LANES_CACHE_REDIS_PASSWORD_FILE", secret.toString()))));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ServerConfig.create(
                LanesConfig.load(redis, Optional.empty(), Map.of("LANES_CACHE_REDIS_PASSWORD_FILE",
                        dir.resolve("absent").toString()))));
        assertTrue(missing.getMessage().contains(ConfigKeys.CACHE_REDIS_PASSWORD_FILE), missing.getMessage());
    }

    @Test
    void redisTopology_isAUrlOrSentinelsOrACluster_neverTwo() {
        ServerConfig sentinel = ServerConfig.create(LanesConfig.load(Cli.parse(List.of("serve",
                "--redis-sentinels", "s1:26379, s2:26380", "--redis-master-name", "mymaster",
                "--set", ConfigKeys.CACHE_REDIS_USER + "=lanes", "--set", ConfigKeys.CACHE_REDIS_TLS + "=true"))
                .overrides(), Optional.empty(), Map.of("LANES_CACHE_REDIS_PASSWORD", "from-env")));
        RedisSettings redis = sentinel.cache().redis();
        assertEquals(new RedisTopology.Sentinel(List.of(new RedisAddress("s1", 26379), new RedisAddress("s2", 26380)),
                "mymaster", 0), redis.topology());
        assertEquals("lanes", redis.user());
        assertTrue(redis.tls());
        assertEquals("from-env", redis.password());
        assertEquals(CacheSettings.Backend.TIERED, sentinel.cache().backend(), "shared, behind the local cache");

        ServerConfig cluster = ServerConfig.create(LanesConfig.load(Cli.parse(List.of("serve",
                "--redis-cluster", "c1:7000,c2:7001,c3:7002")).overrides(), Optional.empty(), Map.of()));
        assertEquals(new RedisTopology.Cluster(List.of(new RedisAddress("c1", 7000), new RedisAddress("c2", 7001),
                new RedisAddress("c3", 7002))), cluster.cache().redis().topology());

        Map<Map<String, String>, String> refused = Map.of(
                Map.of(ConfigKeys.CACHE_REDIS_URL, "redis://a", ConfigKeys.CACHE_REDIS_CLUSTER, "c1:7000"), "not several",
                Map.of(ConfigKeys.CACHE_REDIS_SENTINELS, "s1:26379"), "go together",
                Map.of(ConfigKeys.CACHE_REDIS_MASTER_NAME, "mymaster"), "no Redis is",
                Map.of(ConfigKeys.CACHE_REDIS_CLUSTER, "c1"), ConfigKeys.CACHE_REDIS_CLUSTER,
                Map.of(ConfigKeys.CACHE_REDIS_URL, "rediss://a", ConfigKeys.CACHE_REDIS_TLS, "false"), "contradicts");
        refused.forEach((overrides, fragment) -> {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> ServerConfig.create(LanesConfig.load(overrides, Optional.empty(), Map.of())), overrides::toString);
            assertTrue(error.getMessage().contains(fragment), error.getMessage());
        });
    }

    @Test
    void everyConfigKey_isDocumented() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "configuration.md"));
        for (String key : ConfigKeys.ALL) {
            assertTrue(docs.contains("`" + key + "`"), key + " is missing from docs/configuration.md");
            assertTrue(docs.contains(ConfigKeys.environmentName(key)), key + "'s variable is missing from the docs");
        }
    }

    @Test
    void gpuCheck_oneSide_isASquareImage() {
        GpuCheck.Arguments check = GpuCheck.parse(List.of("det.onnx", "320"));
        assertEquals(new GpuCheck.Arguments(Path.of("det.onnx"), 320, 320), check);
    }

    @Test
    void gpuCheck_bothSides_areKeptInOrder() {
        assertEquals(new GpuCheck.Arguments(Path.of("det.onnx"), 480, 640),
                GpuCheck.parse(List.of("det.onnx", "480", "640")));
        assertEquals(new GpuCheck.Arguments(Path.of("det.onnx"), 640, 640), GpuCheck.parse(List.of("det.onnx")));
    }

    @Test
    void gpuCheck_badSides_areRefusedWithTheirName() {
        assertEquals("gpu-check: H must be a whole number, got 'tall'",
                assertThrows(IllegalArgumentException.class, () -> GpuCheck.parse(List.of("m", "tall"))).getMessage());
        assertEquals("gpu-check: W must be 1 to 16384, got 0",
                assertThrows(IllegalArgumentException.class, () -> GpuCheck.parse(List.of("m", "8", "0"))).getMessage());
        assertEquals("gpu-check takes MODEL [H [W]]",
                assertThrows(IllegalArgumentException.class, () -> GpuCheck.parse(List.of())).getMessage());
    }
}
