package dev.lanes.server.cache;

import dev.lanes.server.testing.ServerFixture;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Map;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntBinaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closed-loop clients posting to a node's cached model while a test breaks its Redis, counting
 * every answer by status. {@code input(client, i)} is the first input value of client's i-th request.
 */
final class CacheLoad implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Future<Void>> clients = new ArrayList<>();

    CacheLoad(ServerFixture node, int clientCount, IntBinaryOperator input) {
        for (int c = 0; c < clientCount; c++) {
            int client = c;
            clients.add(threads.submit(() -> {
                int i = 0;
                while (running.get()) {
                    HttpResponse<String> response = node.post("/v2/models/cached/infer", request(input.applyAsInt(client, i++)));
                    statuses.computeIfAbsent(response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            }));
        }
    }

    static String request(float a) {
        return "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[" + a + ",1,1,1]}]}";
    }

    int answered() {
        return statuses.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Waits (at most a minute) until {@code total} answers came back. */
    void awaitAnswered(int total) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (answered() < total) {
            assertTrue(System.nanoTime() < end, "load keeps flowing");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Stops the clients and requires that every answer was a 200; returns how many there were. */
    int stopExpectingOnly200() throws Exception {
        close();
        assertEquals(Map.of(200, statuses.get(200).get()).keySet(), statuses.keySet(), "only 200s: " + statuses);
        return statuses.get(200).get();
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        try {
            for (Future<Void> client : clients) {
                client.get();
            }
        } finally {
            threads.close();
        }
    }
}
