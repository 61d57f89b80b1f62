package dev.lanes.cache;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The shared cache: binary keys and values in Redis through Jedis' pooled client, with a TTL per
 * entry. Fails open: a Redis that is down, slow or returns garbage yields ERROR lookups and
 * dropped stores, every call is bounded by the configured timeout, and a circuit breaker stops
 * calling a dead Redis until a probe succeeds. Jedis reconnects by itself when Redis returns.
 */
public final class RedisPredictionCache implements PredictionCache {
    private static final Logger LOG = Logger.getLogger(RedisPredictionCache.class.getName());

    private final RedisSettings settings;
    private final RedisClient client;
    private final CircuitBreaker breaker;
    private final byte[] prefix;
    private final SetParams setParams;

    public RedisPredictionCache(RedisSettings settings) {
        this.settings = settings;
        int timeout = (int) settings.timeout().toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .database(settings.database())
                .ssl(settings.tls())
                .clientName("lanes");
        if (settings.password() != null) {
            config.password(settings.password());
        }
        if (settings.user() != null) {
            config.user(settings.user());
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(settings.poolSize());
        pool.setMaxIdle(settings.poolSize());
        pool.setMaxWait(settings.timeout());
        pool.setBlockWhenExhausted(true);
        pool.setTestWhileIdle(false);
        this.client = RedisClient.builder()
                .hostAndPort(settings.url().getHost(), settings.port())
                .clientConfig(config.build())
                .poolConfig(pool)
                .build();
        this.breaker = new CircuitBreaker(settings.breakerFailures(), settings.breakerOpenTime(), System::nanoTime);
        this.prefix = settings.keyPrefix().getBytes(StandardCharsets.UTF_8);
        this.setParams = SetParams.setParams().px(settings.ttl().toMillis());
    }

    @Override
    public Lookup get(CacheKey key) {
        if (!breaker.allow()) {
            return Lookup.error();
        }
        try {
            byte[] value = client.get(redisKey(key));
            breaker.success();
            return value == null ? Lookup.miss() : Lookup.hit(value);
        } catch (RuntimeException e) {
            failed("GET", e);
            return Lookup.error();
        }
    }

    @Override
    public void put(CacheKey key, byte[] value) {
        if (!breaker.allow()) {
            return;
        }
        try {
            client.set(redisKey(key), value, setParams);
            breaker.success();
        } catch (RuntimeException e) {
            failed("SET", e);
        }
    }

    private void failed(String command, RuntimeException e) {
        boolean wasOpen = breaker.isOpen();
        breaker.failure();
        if (!wasOpen && breaker.isOpen()) {
            LOG.warning(() -> "Redis " + settings.url().getHost() + ":" + settings.port() + " keeps failing ("
                    + e.getMessage() + "); serving without it for " + settings.breakerOpenTime().toMillis() + " ms");
        } else {
            LOG.log(Level.FINE, "Redis " + command + " failed", e);
        }
    }

    private byte[] redisKey(CacheKey key) {
        byte[] digest = key.digest();
        byte[] full = new byte[prefix.length + digest.length];
        System.arraycopy(prefix, 0, full, 0, prefix.length);
        System.arraycopy(digest, 0, full, prefix.length, digest.length);
        return full;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void close() {
        client.close();
    }
}
