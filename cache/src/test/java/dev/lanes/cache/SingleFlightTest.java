package dev.lanes.cache;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SingleFlightTest {
    @Test
    void concurrentCallsWithOneKey_runTheWorkOnceAndShareTheValue() throws Exception {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch leaderStarted = new CountDownLatch(1);
        List<Future<SingleFlight.Outcome<Integer>>> calls = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            calls.add(threads.submit(() -> flight.run("k", () -> {
                leaderStarted.countDown();
                release.await();
                return runs.incrementAndGet();
            })));
            leaderStarted.await();
            for (int i = 0; i < 50; i++) {
                calls.add(threads.submit(() -> flight.run("k", runs::incrementAndGet)));
            }
            while (flight.waiting() < 50) {
                Thread.onSpinWait(); // every follower joins the leader's flight before it ends
            }
            release.countDown();
            int led = 0;
            for (Future<SingleFlight.Outcome<Integer>> call : calls) {
                SingleFlight.Outcome<Integer> outcome = call.get();
                led += outcome.led() ? 1 : 0;
                assertEquals(1, outcome.value());
            }
            assertEquals(1, led);
        }
        assertEquals(1, runs.get());
        assertEquals(0, flight.inFlight());
    }

    @Test
    void leaderFailure_reachesFollowersAndTheNextCallRunsAgain() throws Exception {
        SingleFlight<String, Integer> flight = new SingleFlight<>();
        assertThrows(IllegalStateException.class, () -> flight.run("k", () -> {
            throw new IllegalStateException("boom");
        }));
        assertEquals(7, flight.run("k", () -> 7).value());
    }
}
