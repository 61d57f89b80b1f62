package dev.lanes.cache;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach the shared Redis.
 *
 * @param topology         one Redis, a Sentinel-watched master, or a Redis Cluster
 * @param tls              TLS to every endpoint ({@code rediss://}), Sentinels included; the
 *                         certificate must name the address each endpoint is reached at
 * @param caFile           PEM file of the CA certificates TLS trusts; null: the JVM's trust store
 * @param user             ACL user, or null for the default user
 * @param password         AUTH password (from the environment or a file, e.g. a Kubernetes
 *                         Secret, or the URL's), or null
 * @param timeout          connect, socket and pool-wait timeout: no request waits longer on Redis
 * @param ttl              time to live of stored predictions
 * @param keyPrefix        prepended to every key, so several deployments can share one Redis
 * @param poolSize         pooled connections (per node of a cluster)
 * @param breakerFailures  consecutive failures that open the circuit breaker
 * @param breakerOpenTime  how long the breaker stays open before one probe
 */
public record RedisSettings(RedisTopology topology, boolean tls, Path caFile, String user, String password,
                            Duration timeout, Duration ttl, String keyPrefix, int poolSize, int breakerFailures,
                            Duration breakerOpenTime) {
    /** Redis itself takes longer ones; a bound keeps a wrong file (an image, a log) out of memory. */
    public static final int MAX_PASSWORD_LENGTH = 4096;

    /**
     * One Redis at {@code redis://[[user][:password]@]host[:port][/database]} ({@code rediss://} for
     * TLS); user info without a colon is a user name (an ACL user, RFC 3986).
     */
    public RedisSettings(URI url, Duration timeout, Duration ttl, String keyPrefix, int poolSize,
                         int breakerFailures, Duration breakerOpenTime) {
        this(standalone(url), "rediss".equals(url.getScheme()), null, userIn(url), passwordIn(url), timeout, ttl,
                keyPrefix, poolSize, breakerFailures, breakerOpenTime);
    }

    public RedisSettings {
        if (topology == null) {
            throw new IllegalArgumentException("no Redis topology");
        }
        if (caFile != null && !tls) {
            throw new IllegalArgumentException("lanes.cache.redis.tls-ca-file is for TLS: use rediss:// or"
                    + " lanes.cache.redis.tls=true");
        }
        if (password != null && (password.isEmpty() || password.length() > MAX_PASSWORD_LENGTH)) {
            throw new IllegalArgumentException("the Redis password must be 1 to " + MAX_PASSWORD_LENGTH
                    + " characters, got " + password.length());
        }
        if (user != null && (user.isEmpty() || user.length() > 256 || !user.chars().allMatch(c -> c > ' ' && c < 127))) {
            throw new IllegalArgumentException("lanes.cache.redis.user must be 1 to 256 printable characters"
                    + " without spaces");
        }
        // Each request may wait this long for Redis before it is served from the model anyway.
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("lanes.cache.redis.timeout must be positive and at most PT1M, got "
                    + timeout);
        }
        if (ttl.toMillis() < 1 || ttl.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("lanes.cache.redis.ttl must be between 1 ms and PT8760H, got " + ttl);
        }
        if (poolSize < 1 || poolSize > 1024) {
            throw new IllegalArgumentException("lanes.cache.redis.pool-size must be between 1 and 1024, got " + poolSize);
        }
        if (breakerFailures < 1 || breakerFailures > 100_000) {
            throw new IllegalArgumentException("lanes.cache.redis.breaker-failures must be between 1 and 100000, got "
                    + breakerFailures);
        }
        if (breakerOpenTime.isNegative() || breakerOpenTime.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("lanes.cache.redis.breaker-open-time must be between 0 and PT1H, got "
                    + breakerOpenTime);
        }
    }

    /** The same settings with {@code newPassword} for AUTH instead of the URL's. */
    public RedisSettings withPassword(String newPassword) {
        return new RedisSettings(topology, tls, caFile, user, newPassword, timeout, ttl, keyPrefix, poolSize,
                breakerFailures, breakerOpenTime);
    }

    /** The same settings with another ACL user and TLS choice ({@code newCaFile} null: the JVM's trust store). */
    public RedisSettings withAccess(String newUser, boolean newTls, Path newCaFile) {
        return new RedisSettings(topology, newTls, newCaFile, newUser, password, timeout, ttl, keyPrefix, poolSize,
                breakerFailures, breakerOpenTime);
    }

    /** The same settings with other timeouts and sizes (ServerConfig's keys). */
    public RedisSettings withLimits(Duration newTimeout, Duration newTtl, String newKeyPrefix, int newPoolSize,
                                    int newBreakerFailures, Duration newBreakerOpenTime) {
        return new RedisSettings(topology, tls, caFile, user, password, newTimeout, newTtl, newKeyPrefix, newPoolSize,
                newBreakerFailures, newBreakerOpenTime);
    }

    /** Never prints the password (the URL's included). */
    @Override
    public String toString() {
        return "RedisSettings[" + topology.describe() + (tls ? ", tls" : "") + ", user=" + (user == null ? "default" : user)
                + ", timeout=" + timeout + ", ttl=" + ttl + ", keyPrefix=" + keyPrefix + ", poolSize=" + poolSize
                + ", password=" + (password == null ? "none" : "set") + "]";
    }

    public static RedisSettings of(String url) {
        return new RedisSettings(parse(url), Duration.ofMillis(100), Duration.ofHours(1), "lanes:", 16, 5,
                Duration.ofSeconds(2));
    }

    /** {@link #of} for a Redis found by Sentinels or as a cluster: the defaults, no TLS, the default user. */
    public static RedisSettings of(RedisTopology topology) {
        return new RedisSettings(topology, false, null, null, null, Duration.ofMillis(100), Duration.ofHours(1),
                "lanes:", 16, 5, Duration.ofSeconds(2));
    }

    private static URI parse(String url) {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            // not the input: it may hold a password
            throw new IllegalArgumentException("lanes.cache.redis.url is not a valid URL (" + e.getReason() + ")");
        }
    }

    private static RedisTopology.Standalone standalone(URI url) {
        if (!"redis".equals(url.getScheme()) && !"rediss".equals(url.getScheme())) {
            throw new IllegalArgumentException("lanes.cache.redis.url must be redis:// or rediss://, got "
                    + url.getScheme() + "://");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("lanes.cache.redis.url has no host");
        }
        String path = url.getPath();
        int database;
        try {
            database = path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("lanes.cache.redis.url: the path must be a database number");
        }
        return new RedisTopology.Standalone(new RedisAddress(url.getHost(), url.getPort() < 0 ? 6379 : url.getPort()),
                database);
    }

    /** The password from {@code redis://user:password@host} or {@code redis://:password@host}, or null. */
    public static String passwordIn(URI url) {
        String info = url.getUserInfo();
        int colon = info == null ? -1 : info.indexOf(':');
        return colon < 0 || colon == info.length() - 1 ? null : info.substring(colon + 1);
    }

    /** The ACL user from {@code redis://user@host} or {@code redis://user:password@host}, or null (the default user). */
    private static String userIn(URI url) {
        String info = url.getUserInfo();
        if (info == null) {
            return null;
        }
        int colon = info.indexOf(':');
        String user = colon < 0 ? info : info.substring(0, colon);
        return user.isEmpty() ? null : user;
    }
}
