package dev.lanes.cache;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * How to reach the shared Redis.
 *
 * @param url              {@code redis://[[user][:password]@]host[:port][/database]}; {@code rediss://}
 *                         for TLS; user info without a colon is a user name (an ACL user, RFC 3986)
 * @param timeout          connect, socket and pool-wait timeout: no request waits longer on Redis
 * @param ttl              time to live of stored predictions
 * @param keyPrefix        prepended to every key, so several deployments can share one Redis
 * @param poolSize         pooled connections
 * @param breakerFailures  consecutive failures that open the circuit breaker
 * @param breakerOpenTime  how long the breaker stays open before one probe
 * @param password         AUTH password (from the environment or a file, e.g. a Kubernetes
 *                         Secret); null: the URL's, if it has one
 */
public record RedisSettings(URI url, Duration timeout, Duration ttl, String keyPrefix, int poolSize,
                            int breakerFailures, Duration breakerOpenTime, String password) {
    /** The password, if any, from the URL. */
    public RedisSettings(URI url, Duration timeout, Duration ttl, String keyPrefix, int poolSize,
                         int breakerFailures, Duration breakerOpenTime) {
        this(url, timeout, ttl, keyPrefix, poolSize, breakerFailures, breakerOpenTime, null);
    }

    public RedisSettings {
        if (password == null) {
            password = passwordIn(url);
        } else if (password.isEmpty() || password.length() > MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("the Redis password must be 1 to " + MAX_PASSWORD_LENGTH
                    + " characters, got " + password.length());
        }
        if (!"redis".equals(url.getScheme()) && !"rediss".equals(url.getScheme())) {
            throw new IllegalArgumentException("lanes.cache.redis.url must be redis:// or rediss://, got "
                    + url.getScheme() + "://");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("lanes.cache.redis.url has no host");
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

    /** Redis itself takes longer ones; a bound keeps a wrong file (an image, a log) out of memory. */
    public static final int MAX_PASSWORD_LENGTH = 4096;

    /** The same settings with {@code newPassword} for AUTH instead of the URL's. */
    public RedisSettings withPassword(String newPassword) {
        return new RedisSettings(url, timeout, ttl, keyPrefix, poolSize, breakerFailures, breakerOpenTime, newPassword);
    }

    /** Never prints the password (the URL's included). */
    @Override
    public String toString() {
        return "RedisSettings[" + (tls() ? "rediss" : "redis") + "://" + url.getHost() + ":" + port()
                + ", timeout=" + timeout + ", ttl=" + ttl + ", keyPrefix=" + keyPrefix + ", poolSize=" + poolSize
                + ", password=" + (password == null ? "none" : "set") + "]";
    }

    public static RedisSettings of(String url) {
        URI parsed;
        try {
            parsed = new URI(url);
        } catch (URISyntaxException e) {
            // not the input: it may hold a password
            throw new IllegalArgumentException("lanes.cache.redis.url is not a valid URL (" + e.getReason() + ")");
        }
        return new RedisSettings(parsed, Duration.ofMillis(100), Duration.ofHours(1), "lanes:", 16, 5,
                Duration.ofSeconds(2));
    }

    boolean tls() {
        return "rediss".equals(url.getScheme());
    }

    int port() {
        return url.getPort() < 0 ? 6379 : url.getPort();
    }

    int database() {
        String path = url.getPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }

    /** The password from {@code redis://user:password@host} or {@code redis://:password@host}, or null. */
    public static String passwordIn(URI url) {
        String info = url.getUserInfo();
        int colon = info == null ? -1 : info.indexOf(':');
        return colon < 0 || colon == info.length() - 1 ? null : info.substring(colon + 1);
    }

    /** The ACL user from {@code redis://user@host} or {@code redis://user:password@host}, or null (the default user). */
    String user() {
        String info = url.getUserInfo();
        if (info == null) {
            return null;
        }
        int colon = info.indexOf(':');
        String user = colon < 0 ? info : info.substring(0, colon);
        return user.isEmpty() ? null : user;
    }
}
