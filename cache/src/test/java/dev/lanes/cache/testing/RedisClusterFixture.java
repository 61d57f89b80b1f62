package dev.lanes.cache.testing;

import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of three masters without replicas, made by {@code redis-cli --cluster create},
 * all real processes on free loopback ports. {@code cluster-require-full-coverage no}: with a
 * master lost, the others keep serving their slots (docs/cache.md says to set it).
 */
public final class RedisClusterFixture implements AutoCloseable {
    public static final Duration NODE_TIMEOUT = Duration.ofMillis(1000);

    private final Path directory = RedisProcess.tempDirectory("lanes-cluster");
    private final RedisAccess access;
    private final List<RedisProcess> masters = new ArrayList<>();

    public RedisClusterFixture() {
        this(null);
    }

    /** With {@code access}, every node speaks TLS only (cluster bus too) and takes only its ACL user. */
    public RedisClusterFixture(RedisAccess access) {
        this.access = access;
        try {
            for (int i = 0; i < 3; i++) {
                Path node = directory.resolve("node-" + i);
                // The bus port is chosen free too: port + 10000, Redis' default, may be taken or past 65535.
                List<String> options = new ArrayList<>(List.of("--cluster-enabled", "yes",
                        "--cluster-port", Integer.toString(RedisProcess.freePort()),
                        "--cluster-config-file", node.resolve("nodes.conf").toString(),
                        "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()),
                        "--cluster-require-full-coverage", "no"));
                if (access == null) {
                    masters.add(RedisProcess.server(node, options));
                } else {
                    options.addAll(access.serverOptions());
                    options.addAll(List.of("--tls-cluster", "yes"));
                    masters.add(RedisProcess.tlsServer(node, access.certificates(), options));
                }
            }
            List<String> create = new ArrayList<>(List.of("redis-cli"));
            if (access != null) {
                create.addAll(access.cliOptions());
            }
            create.addAll(List.of("--cluster", "create"));
            create.addAll(masters.stream().map(RedisProcess::address).toList());
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create);
            RedisSentinelFixture.awaitTrue(Duration.ofSeconds(30), "every node to report cluster_state:ok", () -> {
                for (RedisProcess master : masters) {
                    try (Jedis jedis = client(master.port())) {
                        if (!jedis.clusterInfo().contains("cluster_state:ok")) {
                            return false;
                        }
                    }
                }
                return true;
            });
        } catch (RuntimeException | Error e) {
            RedisProcess.killAll(masters);
            throw e;
        }
    }

    /** {@code host:port,...} of every master, as lanes.cache.redis.cluster takes them. */
    public String seedList() {
        return String.join(",", masters.stream().map(RedisProcess::address).toList());
    }

    public List<RedisProcess> masters() {
        return List.copyOf(masters);
    }

    /** Moves {@code slots} slots, keys and all, from one master to another ({@code redis-cli --cluster reshard}). */
    public void reshard(RedisProcess from, RedisProcess to, int slots) {
        String fromId;
        String toId;
        try (Jedis source = client(from.port()); Jedis target = client(to.port())) {
            fromId = source.clusterMyId();
            toId = target.clusterMyId();
        }
        List<String> command = new ArrayList<>(List.of("redis-cli"));
        if (access != null) {
            command.addAll(access.cliOptions());
        }
        command.addAll(List.of("--cluster", "reshard", from.address(), "--cluster-from", fromId, "--cluster-to", toId,
                "--cluster-slots", Integer.toString(slots), "--cluster-yes"));
        run(command);
    }

    /** A client of one node (not cluster-aware): plain, or TLS as the ACL user. */
    public Jedis client(int port) {
        return access == null ? new Jedis("127.0.0.1", port) : access.data(port);
    }

    private void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis-cli.log").toFile())).start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed; see " + directory.resolve("redis-cli.log"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("redis-cli is needed for the cluster tests (apt-get install -y redis-tools)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (RedisProcess master : masters) {
            master.kill();
        }
    }
}
