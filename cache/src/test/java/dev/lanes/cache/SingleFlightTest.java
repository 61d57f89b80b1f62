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

    @Test
    void followerWithABoundedWait_givesUpAloneAndTheFlightGoesOn() throws Exception {
        SingleFlight<String, String> flights = new SingleFlight<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SingleFlight.Outcome<String>> leader = threads.submit(() -> flights.run("k", () -> {
                started.countDown();
                release.await();
                return "answer";
            }));
            started.await();
            assertThrows(java.util.concurrent.TimeoutException.class,
                    () -> flights.run("k", () -> "never run", java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20)));
            assertEquals(0, flights.waiting(), "the follower that gave up no longer waits");
            Future<SingleFlight.Outcome<String>> patient = threads.submit(() -> flights.run("k", () -> "never run"));
            while (flights.waiting() == 0) {
                Thread.onSpinWait();
            }
            release.countDown();
            assertEquals(new SingleFlight.Outcome<>("answer", true), leader.get());
            assertEquals(new SingleFlight.Outcome<>("answer", false), patient.get());
        }
    }
}
