package dev.lanes.cache;

import redis.clients.jedis.exceptions.JedisConnectionException;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Jedis client, built on first use rather than at start: a Sentinel or cluster client asks its
 * Sentinels or seeds for the topology when it is built, and a node must start and serve (fail
 * open) while none of them answers. A failed build is retried at most once per {@code retryNanos};
 * callers in between fail at once, and only one of them builds at a time.
 */
final class RedisConnector implements AutoCloseable {
    private final Supplier<RedisClients.Connected> factory;
    private final long retryNanos;
    private final LongSupplier ticker;
    private final ReentrantLock building = new ReentrantLock();
    private volatile RedisClients.Connected client;
    private volatile RuntimeException lastFailure;
    private long nextTry = Long.MIN_VALUE;
    private boolean closed;

    RedisConnector(Supplier<RedisClients.Connected> factory, long retryNanos, LongSupplier ticker) {
        this.factory = factory;
        this.retryNanos = retryNanos;
        this.ticker = ticker;
    }

    /** The client, built now if it is time to try; throws when there is none yet. */
    RedisClients.Connected client() {
        RedisClients.Connected current = client;
        if (current != null) {
            return current;
        }
        if (!building.tryLock()) {
            throw unavailable();
        }
        try {
            if (client != null) {
                return client;
            }
            long now = ticker.getAsLong();
            if (closed || (nextTry != Long.MIN_VALUE && now - nextTry < 0)) {
                throw unavailable();
            }
            nextTry = now + retryNanos;
            try {
                client = factory.get();
                lastFailure = null;
                return client;
            } catch (RuntimeException e) {
                lastFailure = e;
                throw e;
            }
        } finally {
            building.unlock();
        }
    }

    private RuntimeException unavailable() {
        RuntimeException last = lastFailure;
        return new JedisConnectionException("Redis is not reached yet" + (last == null ? "" : ": " + last.getMessage()));
    }

    @Override
    public void close() {
        building.lock();
        try {
            closed = true;
            if (client != null) {
                client.client().close();
            }
        } finally {
            building.unlock();
        }
    }
}
