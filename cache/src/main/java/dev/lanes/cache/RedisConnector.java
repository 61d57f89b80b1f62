package dev.lanes.cache;

import redis.clients.jedis.exceptions.JedisConnectionException;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Jedis client, built in the background rather than by a request: a Sentinel or cluster
 * client asks its Sentinels or seeds one after another when it is built, which can take a timeout
 * per endpoint, and a node must start and serve (fail open) while none of them answers. Until a
 * client exists every caller fails at once; a failed build is retried at most once per
 * {@code retryNanos}, one build at a time.
 */
final class RedisConnector implements AutoCloseable {
    private final Supplier<RedisClients.Connected> factory;
    private final long retryNanos;
    private final LongSupplier ticker;
    private final Object lock = new Object();
    private volatile RedisClients.Connected client;
    private volatile RuntimeException lastFailure;
    // guarded by lock
    private long nextTry = Long.MIN_VALUE;
    private boolean building;
    private boolean closed;

    RedisConnector(Supplier<RedisClients.Connected> factory, long retryNanos, LongSupplier ticker) {
        this.factory = factory;
        this.retryNanos = retryNanos;
        this.ticker = ticker;
    }

    /** The client; when there is none yet, starts a build if it is time to try, and throws. */
    RedisClients.Connected client() {
        RedisClients.Connected current = client;
        if (current != null) {
            return current;
        }
        startBuildIfDue();
        throw unavailable();
    }

    /**
     * Waits for the client (for the start check), at most {@code timeout}; null when there is none
     * by then. {@link #lastFailure()} then says why.
     */
    RedisClients.Connected await(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        startBuildIfDue();
        while (client == null && isBuilding() && System.nanoTime() - end < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return client;
    }

    RuntimeException lastFailure() {
        return lastFailure;
    }

    /**
     * Drops the client (closing its pools) so the next call builds a new one: for a primary that
     * was demoted behind the same address, whose pooled connections would otherwise stay.
     */
    void reset() {
        RedisClients.Connected dropped;
        synchronized (lock) {
            dropped = client;
            client = null;
        }
        if (dropped != null) {
            dropped.client().close();
        }
    }

    private boolean isBuilding() {
        synchronized (lock) {
            return building;
        }
    }

    private void startBuildIfDue() {
        synchronized (lock) {
            long now = ticker.getAsLong();
            if (client != null || building || closed || (nextTry != Long.MIN_VALUE && now - nextTry < 0)) {
                return;
            }
            building = true;
            nextTry = now + retryNanos;
        }
        Thread.ofVirtual().name("lanes-redis-connect").start(this::build);
    }

    private void build() {
        RedisClients.Connected built = null;
        try {
            built = factory.get();
            lastFailure = null;
        } catch (RuntimeException e) {
            lastFailure = e;
        }
        boolean discard;
        synchronized (lock) {
            building = false;
            discard = closed;
            if (!closed && built != null) {
                client = built;
            }
        }
        if (discard && built != null) {
            built.client().close();
        }
    }

    private RuntimeException unavailable() {
        RuntimeException last = lastFailure;
        return new JedisConnectionException("Redis is not reached yet" + (last == null ? "" : ": " + last.getMessage()));
    }

    @Override
    public void close() {
        RedisClients.Connected open;
        synchronized (lock) {
            closed = true;
            open = client;
            client = null;
        }
        if (open != null) {
            open.client().close();
        }
    }
}
