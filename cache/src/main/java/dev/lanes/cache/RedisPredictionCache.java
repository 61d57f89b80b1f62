package dev.lanes.cache;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.params.SetParams;

import javax.net.ssl.SSLSocketFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The shared cache: binary keys and values in Redis through Jedis' pooled client, with a TTL per
 * entry, on one Redis, a Sentinel-watched master or a Redis Cluster ({@link RedisClients}). Fails
 * open: a Redis that is down, slow or returns garbage yields ERROR lookups and dropped stores,
 * every call is bounded by the configured timeout, and a circuit breaker per endpoint stops
 * calling a dead one until a probe succeeds. Per endpoint, so a dead cluster shard stops only the
 * keys of its own slots, and a promoted replica starts with a closed breaker of its own. Jedis
 * reconnects by itself when Redis returns, and follows the master through a Sentinel failover.
 */
public final class RedisPredictionCache implements PredictionCache {
    private static final Logger LOG = Logger.getLogger(RedisPredictionCache.class.getName());
    /** A Sentinel or cluster client that could not be built is tried again no sooner than this. */
    private static final long MIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final Duration MAX_FIRST_BUILD_WAIT = Duration.ofSeconds(10);
    /** Breakers kept apart; a cluster has fewer nodes, and more share the unknown endpoint's. */
    static final int MAX_ENDPOINTS = 1024;
    /** How a key's endpoint is told while none is known: no client yet, or a slot without an owner. */
    static final String UNKNOWN_ENDPOINT = "unknown";

    private final RedisSettings settings;
    private final RedisStats stats;
    private final RedisConnector connector;
    /** The master the last call went to (Sentinel only): a new one is a failover followed. */
    private final AtomicReference<HostAndPort> lastMaster = new AtomicReference<>();
    /** The start check found the credentials refused and said so: later refusals are not warned again. */
    private volatile boolean refusalReported;
    private final Map<HostAndPort, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    /** For calls whose endpoint is unknown, and for endpoints past {@link #MAX_ENDPOINTS}. */
    private final CircuitBreaker unknownBreaker;
    private final byte[] prefix;
    private final SetParams setParams;

    public RedisPredictionCache(RedisSettings settings) {
        this(settings, RedisStats.none());
    }

    public RedisPredictionCache(RedisSettings settings, RedisStats stats) {
        this.settings = settings;
        this.stats = stats;
        // a bad CA file fails the start here; an unreachable Redis never does
        SSLSocketFactory trustedCa = settings.caFile() == null ? null : RedisTrust.socketFactory(settings.caFile());
        this.connector = new RedisConnector(() -> RedisClients.create(settings, trustedCa),
                Math.max(settings.breakerOpenTime().toNanos(), MIN_RETRY_NANOS), System::nanoTime);
        // The first build may ask every Sentinel or seed in turn: the start waits for it that long
        // at most, so a cache whose Redis is up is whole when the node is.
        connector.await(firstBuildWait(settings));
        this.unknownBreaker = newBreaker();
        this.prefix = settings.keyPrefix().getBytes(StandardCharsets.UTF_8);
        this.setParams = SetParams.setParams().px(settings.ttl().toMillis());
    }

    /** Where one key's command goes: the client, the endpoint that owns the key now, and its breaker. */
    private record Route(RedisClients.Connected connected, HostAndPort endpoint, CircuitBreaker breaker) {
    }

    /** The route for {@code redisKey}, or null when there is no client yet or its breaker is open. */
    private Route route(byte[] redisKey) {
        RedisClients.Connected connected;
        try {
            connected = connector.client();
        } catch (RuntimeException e) {
            failed(null, unknownBreaker, "connect", e);
            return null;
        }
        HostAndPort endpoint = endpoint(connected, redisKey);
        CircuitBreaker breaker = breaker(endpoint);
        return breaker.allow() ? new Route(connected, endpoint, breaker) : null;
    }

    @Override
    public Lookup get(CacheKey key) {
        byte[] redisKey = redisKey(key);
        Route route = route(redisKey);
        if (route == null) {
            return Lookup.error();
        }
        try {
            byte[] value = route.connected().client().get(redisKey);
            route.breaker().success();
            return value == null ? Lookup.miss() : Lookup.hit(value);
        } catch (RuntimeException e) {
            failed(route.endpoint(), route.breaker(), "GET", e);
            return Lookup.error();
        }
    }

    @Override
    public void put(CacheKey key, byte[] value) {
        byte[] redisKey = redisKey(key);
        Route route = route(redisKey);
        if (route == null) {
            return;
        }
        try {
            route.connected().client().set(redisKey, value, setParams);
            route.breaker().success();
        } catch (RuntimeException e) {
            failed(route.endpoint(), route.breaker(), "SET", e);
        }
    }

    /** A timeout per endpoint the first build may try, and one more for the data node; 10 s at most. */
    static Duration firstBuildWait(RedisSettings settings) {
        int endpoints = switch (settings.topology()) {
            case RedisTopology.Standalone standalone -> 1;
            case RedisTopology.Sentinel sentinel -> sentinel.sentinels().size();
            case RedisTopology.Cluster cluster -> cluster.seeds().size();
        };
        Duration wait = settings.timeout().multipliedBy(endpoints + 1L);
        return wait.compareTo(MAX_FIRST_BUILD_WAIT) > 0 ? MAX_FIRST_BUILD_WAIT : wait;
    }

    @Override
    public void checkAtStart() {
        try {
            RedisClients.Connected connected = connector.await(firstBuildWait(settings));
            if (connected == null) {
                RuntimeException why = connector.lastFailure();
                throw why != null ? why : new IllegalStateException("no client within " + firstBuildWait(settings));
            }
            connected.client().ping();
            LOG.info(() -> "Redis " + settings.topology().describe() + " answers");
        } catch (RuntimeException e) {
            if (refusesCredentials(e)) {
                refusalReported = true;
                LOG.warning(() -> "Redis " + settings.topology().describe() + " refused the credentials (" + e.getMessage()
                        + "): check lanes.cache.redis.user and the password (" + "LANES_CACHE_REDIS_PASSWORD or"
                        + " lanes.cache.redis.password-file); serving without the shared cache until it accepts them");
            } else {
                LOG.warning(() -> "Redis " + settings.topology().describe() + " does not answer (" + e.getMessage()
                        + "); serving without the shared cache until it does");
            }
        }
    }

    /** WRONGPASS, NOAUTH or NOPERM anywhere in the cause chain: a configuration error, not an outage. */
    static boolean refusesCredentials(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (cause instanceof JedisAccessControlException || message.startsWith("WRONGPASS")
                    || message.startsWith("NOAUTH") || message.startsWith("NOPERM")) {
                return true;
            }
        }
        return false;
    }

    /** The node {@code redisKey} goes to now, or null; notes a Sentinel failover on the way. */
    private HostAndPort endpoint(RedisClients.Connected connected, byte[] redisKey) {
        HostAndPort endpoint = connected.endpointOf().apply(redisKey);
        if (endpoint != null && settings.topology() instanceof RedisTopology.Sentinel) {
            HostAndPort before = lastMaster.get();
            if (!endpoint.equals(before) && lastMaster.compareAndSet(before, endpoint) && before != null) {
                stats.failover(endpoint.toString());
                LOG.info(() -> "Redis master moved from " + before + " to " + endpoint + " (a Sentinel failover)");
            }
        }
        return endpoint;
    }

    private CircuitBreaker breaker(HostAndPort endpoint) {
        if (endpoint == null) {
            return unknownBreaker;
        }
        CircuitBreaker breaker = breakers.get(endpoint);
        if (breaker != null) {
            return breaker;
        }
        return breakers.size() < MAX_ENDPOINTS ? breakers.computeIfAbsent(endpoint, e -> newBreaker()) : unknownBreaker;
    }

    private CircuitBreaker newBreaker() {
        return new CircuitBreaker(settings.breakerFailures(), settings.breakerOpenTime(), System::nanoTime);
    }

    /** A call to {@code node} (null: unknown) failed; text is made only here, off the path of calls that work. */
    private void failed(HostAndPort node, CircuitBreaker breaker, String command, RuntimeException e) {
        String endpoint = node == null ? UNKNOWN_ENDPOINT : node.toString();
        stats.error(endpoint);
        if (String.valueOf(e.getMessage()).startsWith("READONLY")) {
            // A managed failover moved the primary's name to another node, and this pool still
            // holds connections to the old one, now a replica: build a client that resolves again.
            LOG.info(() -> "Redis " + endpoint + " is read-only now (a failover behind its address); reconnecting");
            connector.reset();
        }
        boolean wasOpen = breaker.isOpen();
        breaker.failure();
        if (!wasOpen && breaker.isOpen() && !(refusalReported && refusesCredentials(e))) {
            LOG.warning(() -> "Redis " + endpoint + " (" + settings.topology().describe() + ") keeps failing ("
                    + e.getMessage() + "); serving without it for " + settings.breakerOpenTime().toMillis() + " ms");
        } else {
            LOG.log(Level.FINE, e, () -> "Redis " + command + " on " + endpoint + " failed");
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
        connector.close();
    }
}
