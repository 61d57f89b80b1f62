package dev.lanes.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one computation per key at a time: concurrent callers with the same key wait for the
 * first caller's result (or failure) instead of computing it again. Thread-safe; callers block,
 * which suits virtual threads.
 */
public final class SingleFlight<K, V> {
    /** The work of the caller that leads a flight. */
    @FunctionalInterface
    public interface Work<V> {
        V run() throws Exception;
    }

    /** How a call went: its value, and whether this caller computed it. */
    public record Outcome<V>(V value, boolean led) {
    }

    private final ConcurrentHashMap<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /** As {@link #run(Object, Work, long)}, a follower waiting as long as its leader takes. */
    public Outcome<V> run(K key, Work<V> work) throws Exception {
        return run(key, work, Long.MAX_VALUE);
    }

    /**
     * Leads a flight for {@code key}, or follows the one in progress.
     *
     * @param maxWaitNanos how long a follower waits for its leader; the leader's own work is not bounded here
     * @throws TimeoutException to a follower whose wait ran out; the flight goes on for the others
     */
    public Outcome<V> run(K key, Work<V> work, long maxWaitNanos) throws Exception {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> leader = flights.putIfAbsent(key, mine);
        if (leader != null) {
            waiting.incrementAndGet();
            try {
                return new Outcome<>(leader.get(Math.max(0, maxWaitNanos), TimeUnit.NANOSECONDS), false);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } finally {
                waiting.decrementAndGet();
            }
        }
        // The flight leaves the map before its followers wake: one that tries again (its leader ran
        // out of time, it did not) must start a new flight, not find this finished one.
        V value;
        try {
            value = work.run();
        } catch (Exception | Error e) {
            flights.remove(key, mine);
            mine.completeExceptionally(e);
            throw e;
        }
        flights.remove(key, mine);
        mine.complete(value);
        return new Outcome<>(value, true);
    }

    /** Flights in progress. */
    public int inFlight() {
        return flights.size();
    }

    /** Callers waiting for another caller's flight. */
    public int waiting() {
        return waiting.get();
    }
}
