package dev.lanes.cache;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds Jedis' client for a {@link RedisTopology}: the cache speaks to all three through the
 * same {@link UnifiedJedis} commands, so the topology is configuration, not a code path.
 */
final class RedisClients {
    /** A cluster command follows at most this many MOVED/ASK redirections or reconnects. */
    static final int CLUSTER_ATTEMPTS = 3;

    private RedisClients() {
    }

    /**
     * A client and where it sends a key now: the one Redis, the master the Sentinels name, or the
     * cluster node that owns the key's slot (null while a slot has no owner).
     */
    record Connected(UnifiedJedis client, Function<byte[], HostAndPort> endpointOf) {
    }

    /** @param trustedCa TLS socket factory trusting {@link RedisSettings#caFile()}, or null */
    static Connected create(RedisSettings settings, SSLSocketFactory trustedCa) {
        return switch (settings.topology()) {
            case RedisTopology.Standalone standalone -> {
                HostAndPort endpoint = hostAndPort(standalone.address());
                yield new Connected(RedisClient.builder()
                        .hostAndPort(endpoint)
                        .clientConfig(dataConfig(settings, trustedCa, standalone.database()))
                        .poolConfig(pool(settings))
                        .build(), key -> endpoint);
            }
            case RedisTopology.Sentinel sentinel -> {
                RedisSentinelClient client = RedisSentinelClient.builder()
                        .masterName(sentinel.masterName())
                        .sentinels(hostsAndPorts(sentinel.sentinels()))
                        .clientConfig(dataConfig(settings, trustedCa, sentinel.database()))
                        .sentinelClientConfig(sentinelConfig(settings, trustedCa))
                        .poolConfig(pool(settings))
                        .build();
                yield new Connected(client, key -> client.getCurrentMaster());
            }
            case RedisTopology.Cluster cluster -> {
                Set<HostAndPort> seeds = hostsAndPorts(cluster.seeds());
                JedisClientConfig config = dataConfig(settings, trustedCa, 0);
                // Our own provider, for its slot map: a key's owner names the breaker it goes through.
                // Without a periodic refresh: that constructor starts its refresh thread before it
                // reaches a seed, and a build that fails leaves the thread running for good. The
                // slot map is renewed on every MOVED and failed connection anyway.
                ClusterConnectionProvider provider = new ClusterConnectionProvider(seeds, config, pool(settings));
                RedisClusterClient client = RedisClusterClient.builder()
                        .nodes(seeds)
                        .clientConfig(config)
                        .connectionProvider(provider)
                        .maxAttempts(CLUSTER_ATTEMPTS)
                        // every retry and redirection of one command together stay within the timeout
                        .maxTotalRetriesDuration(settings.timeout())
                        .build();
                yield new Connected(client, key -> provider.getNode(JedisClusterCRC16.getSlot(key)));
            }
        };
    }

    private static JedisClientConfig dataConfig(RedisSettings settings, SSLSocketFactory trustedCa, int database) {
        DefaultJedisClientConfig.Builder config = transport(settings, trustedCa)
                .database(database)
                .clientName("lanes");
        if (settings.password() != null) {
            config.password(settings.password());
        }
        if (settings.user() != null) {
            config.user(settings.user());
        }
        return config.build();
    }

    /** Sentinels speak TLS when the data nodes do; their own AUTH is not the master's, and not set. */
    private static JedisClientConfig sentinelConfig(RedisSettings settings, SSLSocketFactory trustedCa) {
        return transport(settings, trustedCa).clientName("lanes-sentinel").build();
    }

    /** Timeouts, and TLS that checks the certificate names the host it reached (said here, not left to Jedis' default). */
    private static DefaultJedisClientConfig.Builder transport(RedisSettings settings, SSLSocketFactory trustedCa) {
        int timeout = (int) settings.timeout().toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                // RESP2 said outright: GET and SET need nothing newer, every Redis speaks it, and
                // Jedis warns on each Sentinel connection it would otherwise try to negotiate
                .protocol(RedisProtocol.RESP2)
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .ssl(settings.tls());
        if (settings.tls()) {
            SSLParameters checkHost = new SSLParameters();
            checkHost.setEndpointIdentificationAlgorithm("HTTPS");
            config.sslParameters(checkHost);
            if (trustedCa != null) {
                config.sslSocketFactory(trustedCa);
            }
        }
        return config;
    }

    private static ConnectionPoolConfig pool(RedisSettings settings) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(settings.poolSize());
        pool.setMaxIdle(settings.poolSize());
        pool.setMaxWait(settings.timeout());
        pool.setBlockWhenExhausted(true);
        pool.setTestWhileIdle(false);
        return pool;
    }

    private static HostAndPort hostAndPort(RedisAddress address) {
        return new HostAndPort(address.host(), address.port());
    }

    private static Set<HostAndPort> hostsAndPorts(List<RedisAddress> addresses) {
        Set<HostAndPort> set = new LinkedHashSet<>();
        for (RedisAddress address : addresses) {
            set.add(hostAndPort(address));
        }
        return set;
    }
}
