package dev.lanes.server;

import dev.lanes.cache.RedisSettings;
import dev.lanes.server.config.ConfigKeys;

import java.net.URI;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses {@code lanes <command> [flags]} into a command and configuration overrides. */
record Cli(String command, Map<String, String> overrides, Optional<Path> configFile) {
    static final String USAGE = """
            Usage: lanes <command> [flags]

            Commands:
              serve       start an inference node (REST and /metrics on one port, gRPC on another)
              gpu-check   MODEL [H [W]]: compare a model's outputs on CUDA and CPU and time both
              help        print this text

            Flags for serve:
              --model-repository DIR   Triton-layout model repository (default: the bundled demo)
              --port N                 REST and /metrics port (default 8000, Triton's HTTP port)
              --grpc-port N            gRPC port (default 8001, Triton's gRPC port); 0 turns gRPC off
              --host ADDR              listen address (default 0.0.0.0)
              --config FILE            application.yaml-style file with lanes.* keys
              --execution-provider P   cpu, cuda or auto for models that do not choose (default cpu)
              --cache B                prediction cache: none, local (default), redis or tiered
              --redis URL              share predictions through Redis, e.g. redis://HOST:6379
                                       (tiered behind the local cache unless --cache says otherwise)
              --redis-sentinels LIST   instead: the Redis master Sentinels watch, HOST:PORT,...
                                       (with --redis-master-name NAME); follows failovers
              --redis-cluster LIST     instead: a Redis Cluster, seed nodes HOST:PORT,...
                                       (ACL user: lanes.cache.redis.user; TLS: lanes.cache.redis.tls;
                                       password: LANES_CACHE_REDIS_PASSWORD or
                                       lanes.cache.redis.password-file, never a flag)
              --model-control-mode M   none (default: load all, API refused), explicit (load and
                                       unload through the API) or poll (apply changes on disk)
              --load-model NAME        explicit mode: load NAME at start; repeat for more, * for all
              --set KEY=VALUE          any configuration key, e.g. --set lanes.server.max-request-size=1048576

            Every key can also come from the environment: lanes.server.port is LANES_SERVER_PORT,
            lanes.server.max-request-size is LANES_SERVER_MAX_REQUEST_SIZE, and so on
            (docs/configuration.md lists them). Flags win over the environment, which wins over --config.
            """;

    static Cli parse(List<String> args) {
        if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
            return new Cli("help", Map.of(), Optional.empty());
        }
        String command = args.get(0);
        if (command.equals("gpu-check")) {
            return new Cli(command, Map.of(), Optional.empty());
        }
        if (!command.equals("serve")) {
            throw new IllegalArgumentException("unknown command '" + command + "'");
        }
        Map<String, String> overrides = new HashMap<>();
        Optional<Path> configFile = Optional.empty();
        for (int i = 1; i < args.size(); i++) {
            String flag = args.get(i);
            if (flag.equals("--help") || flag.equals("-h")) {
                return new Cli("help", Map.of(), Optional.empty());
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args.get(++i);
            switch (flag) {
                case "--model-repository" -> overrides.put(ConfigKeys.MODEL_REPOSITORY, value);
                case "--port" -> overrides.put(ConfigKeys.PORT, value);
                case "--grpc-port" -> overrides.put(ConfigKeys.GRPC_PORT, value);
                case "--host" -> overrides.put(ConfigKeys.HOST, value);
                case "--execution-provider" -> overrides.put(ConfigKeys.EXECUTION_PROVIDER, value);
                case "--config" -> configFile = Optional.of(Path.of(value));
                case "--cache" -> overrides.put(ConfigKeys.CACHE_BACKEND, value);
                case "--redis" -> overrides.put(ConfigKeys.CACHE_REDIS_URL, value);
                case "--redis-sentinels" -> overrides.put(ConfigKeys.CACHE_REDIS_SENTINELS, value);
                case "--redis-master-name" -> overrides.put(ConfigKeys.CACHE_REDIS_MASTER_NAME, value);
                case "--redis-cluster" -> overrides.put(ConfigKeys.CACHE_REDIS_CLUSTER, value);
                case "--model-control-mode" -> overrides.put(ConfigKeys.MODEL_CONTROL_MODE, value);
                case "--load-model" -> overrides.merge(ConfigKeys.LOAD_MODELS, value, (a, b) -> a + "," + b);
                case "--set" -> {
                    int equals = value.indexOf('=');
                    if (equals <= 0 || !ConfigKeys.ALL.contains(value.substring(0, equals))) {
                        throw new IllegalArgumentException("--set needs KEY=VALUE with a known key, got '" + value + "'");
                    }
                    overrides.put(value.substring(0, equals), value.substring(equals + 1));
                }
                default -> throw new IllegalArgumentException("unknown flag '" + flag + "'");
            }
        }
        refuseSecrets(overrides);
        return new Cli(command, overrides, configFile);
    }

    /**
     * Every user of the host can read a process's arguments (ps, /proc), so the Redis password is
     * taken from the environment or a file, never from flags.
     */
    private static void refuseSecrets(Map<String, String> overrides) {
        String instead = ": other users see it in the process list; set "
                + ConfigKeys.environmentName(ConfigKeys.CACHE_REDIS_PASSWORD) + " or " + ConfigKeys.CACHE_REDIS_PASSWORD_FILE;
        if (overrides.containsKey(ConfigKeys.CACHE_REDIS_PASSWORD)) {
            throw new IllegalArgumentException(ConfigKeys.CACHE_REDIS_PASSWORD + " is not taken from the command line"
                    + instead);
        }
        String url = overrides.get(ConfigKeys.CACHE_REDIS_URL);
        if (url == null) {
            return;
        }
        URI parsed;
        try {
            parsed = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ConfigKeys.CACHE_REDIS_URL + " is not a URL");
        }
        if (RedisSettings.passwordIn(parsed) != null) {
            throw new IllegalArgumentException("a Redis URL on the command line must not hold a password" + instead);
        }
    }
}
