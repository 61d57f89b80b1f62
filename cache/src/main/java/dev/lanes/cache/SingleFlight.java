package dev.lanes.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
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

    public Outcome<V> run(K key, Work<V> work) throws Exception {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> leader = flights.putIfAbsent(key, mine);
        if (leader != null) {
            waiting.incrementAndGet();
            try {
                return new Outcome<>(leader.get(), false);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            } finally {
                waiting.decrementAndGet();
            }
        }
        try {
            V value = work.run();
            mine.complete(value);
            return new Outcome<>(value, true);
        } catch (Exception | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            flights.remove(key, mine);
        }
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
