package dev.lanes.cache.testing;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One master, one replica and three Sentinels, all real {@code redis-server} processes on free
 * loopback ports. Sentinels declare the master down after {@link #DOWN_AFTER} without an answer,
 * and two of three must agree, as in production.
 */
public final class RedisSentinelFixture implements AutoCloseable {
    public static final String MASTER_NAME = "lanes-master";
    public static final Duration DOWN_AFTER = Duration.ofMillis(1000);

    private final Path directory = RedisProcess.tempDirectory("lanes-sentinel");
    private final RedisAccess access;
    private final RedisProcess master;
    private final RedisProcess replica;
    private final List<RedisProcess> sentinels = new ArrayList<>();

    public RedisSentinelFixture() {
        this(null);
    }

    /** With {@code access}, every process speaks TLS only and the data nodes take only its ACL user. */
    public RedisSentinelFixture(RedisAccess access) {
        this.access = access;
        List<RedisProcess> started = new ArrayList<>();
        try {
            master = dataNode("master", List.of());
            started.add(master);
            replica = dataNode("replica", List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
            started.add(replica);
            String config = "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2\n"
                    + "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER.toMillis() + "\n"
                    + "sentinel failover-timeout " + MASTER_NAME + " 10000\n"
                    + "sentinel parallel-syncs " + MASTER_NAME + " 1\n"
                    + (access == null ? "" : access.sentinelConfig(MASTER_NAME));
            for (int i = 0; i < 3; i++) {
                sentinels.add(RedisProcess.sentinel(directory.resolve("sentinels"), config, access));
                started.add(sentinels.getLast());
            }
            // A failover needs the Sentinels to know each other and the replica, and the replica in sync.
            awaitTrue(Duration.ofSeconds(30), "the Sentinels to find each other and the replica", () -> {
                for (RedisProcess sentinel : sentinels) {
                    try (Jedis jedis = sentinelClient(sentinel.port())) {
                        if (jedis.sentinelSentinels(MASTER_NAME).size() < 2 || jedis.sentinelReplicas(MASTER_NAME).isEmpty()) {
                            return false;
                        }
                    }
                }
                try (Jedis jedis = dataClient(replica.port())) {
                    return jedis.info("replication").contains("master_link_status:up");
                }
            });
        } catch (RuntimeException | Error e) {
            RedisProcess.killAll(started);
            throw e;
        }
    }

    private RedisProcess dataNode(String name, List<String> options) {
        if (access == null) {
            return RedisProcess.server(directory.resolve(name), options);
        }
        List<String> secured = access.serverOptions();
        secured.addAll(options);
        return RedisProcess.tlsServer(directory.resolve(name), access.certificates(), secured);
    }

    /** A client of a master or replica: plain, or TLS as the ACL user. */
    public Jedis dataClient(int port) {
        return access == null ? new Jedis("127.0.0.1", port) : access.data(port);
    }

    private Jedis sentinelClient(int port) {
        return access == null ? new Jedis("127.0.0.1", port) : access.sentinel(port);
    }

    /** {@code host:port,host:port,host:port}, as lanes.cache.redis.sentinels takes them. */
    public String sentinelList() {
        return String.join(",", sentinels.stream().map(RedisProcess::address).toList());
    }

    public RedisProcess master() {
        return master;
    }

    /** Where the Sentinels say the master is now. */
    public HostAndPort currentMaster() {
        try (Jedis jedis = sentinelClient(sentinels.getFirst().port())) {
            Map<String, String> state = jedis.sentinelMaster(MASTER_NAME);
            return new HostAndPort(state.get("ip"), Integer.parseInt(state.get("port")));
        }
    }

    /** Kills the master (SIGKILL) and waits until the Sentinels have promoted the replica. */
    public void killMasterAndAwaitFailover(Duration timeout) {
        master.kill();
        awaitTrue(timeout, "the Sentinels to promote the replica", () -> currentMaster().getPort() == replica.port());
    }

    static void awaitTrue(Duration timeout, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < end) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                last = notYet;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what, last);
    }

    @Override
    public void close() {
        for (RedisProcess sentinel : sentinels) {
            sentinel.kill();
        }
        replica.kill();
        master.kill();
    }
}
