package dev.lanes.server.grpc;

import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.NodeProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM under continuous gRPC load on a node process: health turns NOT_SERVING at once, the
 * grace period still serves, then GOAWAY; calls already admitted finish and no call is lost
 * (each is answered, or refused with UNAVAILABLE, which a client may retry elsewhere).
 */
class GrpcDrainIT {
    private static final long GRACE_MILLIS = 1500;

    @TempDir
    Path repository;

    @Test
    void sigterm_healthNotServingAtOnce_graceServes_thenGoaway_andNoAdmittedCallIsLost() throws Exception {
        new TestRepository(repository)
                .model("affine", 1, TestModels.affine())
                .model("slow", 1, TestModels.slow(1024, 400))
                .config("slow", "max_batch_size: 64\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n");
        NodeProcess node = NodeProcess.start("--model-repository", repository.toString(),
                "--set", "lanes.server.drain-grace=PT" + GRACE_MILLIS / 1000.0 + "S",
                "--set", "lanes.server.drain-timeout=PT20S");
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<String> lost = new CopyOnWriteArrayList<>();
        AtomicLong signalledAt = new AtomicLong(Long.MAX_VALUE);
        List<long[]> answered = new CopyOnWriteArrayList<>(); // {sent, answered} of every OK call
        AtomicLong firstRefusalAt = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger servedAfterSignal = new AtomicInteger();
        try (GrpcClient client = new GrpcClient(node.grpcPort());
             GrpcClient probe = new GrpcClient(node.grpcPort());
             var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> callers = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                ModelInferRequest request = c < 2
                        ? GrpcClient.rawRequest("slow", "x", "FP32", new long[]{32, 1024}, new byte[32 * 1024 * 4]).build()
                        : GrpcClient.rawRequest("affine", "x", "FP32", new long[]{1, 4}, GrpcClient.floatBytes(1, 2, 3, 4)).build();
                callers.add(threads.submit(() -> {
                    while (true) {
                        long sent = System.nanoTime();
                        try {
                            client.blocking().modelInfer(request);
                            count(outcomes, "OK");
                            answered.add(new long[]{sent, System.nanoTime()});
                            if (sent > signalledAt.get()) {
                                servedAfterSignal.incrementAndGet();
                            }
                        } catch (StatusRuntimeException e) {
                            count(outcomes, e.getStatus().getCode().name());
                            firstRefusalAt.accumulateAndGet(System.nanoTime(), Math::min);
                            if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                                lost.add(e.getStatus().toString());
                            }
                            return null; // refused: a client would go to another node
                        }
                    }
                }));
            }
            awaitOk(outcomes, 30);
            HealthCheckRequest inference = HealthCheckRequest.newBuilder()
                    .setService("inference.GRPCInferenceService").build();
            assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(probe.channel()).check(inference).getStatus());

            signalledAt.set(System.nanoTime());
            assertTrue(node.signal(), "SIGTERM delivered");
            ServingStatus health = ServingStatus.SERVING;
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS - 300);
            while (health == ServingStatus.SERVING && System.nanoTime() < end) {
                health = HealthGrpc.newBlockingStub(probe.channel()).withDeadlineAfter(1, TimeUnit.SECONDS)
                        .check(inference).getStatus();
            }
            assertEquals(ServingStatus.NOT_SERVING, health, "health falls within the grace period");
            for (Future<?> caller : callers) {
                caller.get(60, TimeUnit.SECONDS);
            }
        }
        assertTrue(node.awaitExit(40), "the node exits within its drain bound");
        assertTrue(lost.isEmpty(), () -> lost.size() + " admitted calls lost: " + lost + "; " + outcomes);
        assertTrue(servedAfterSignal.get() > 0, "the grace period served calls: " + outcomes);
        assertTrue(outcomes.containsKey("UNAVAILABLE"), "then calls were refused: " + outcomes);
        long refused = firstRefusalAt.get();
        assertTrue(answered.stream().anyMatch(call -> call[0] < refused && call[1] > refused),
                "a call open when refusals began (GOAWAY, shutdown) still got its answer");
    }

    private static void count(Map<String, AtomicInteger> outcomes, String key) {
        outcomes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    private static void awaitOk(Map<String, AtomicInteger> outcomes, int answers) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (outcomes.getOrDefault("OK", new AtomicInteger()).get() < answers) {
            assertTrue(System.nanoTime() < end, "load flows: " + outcomes);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
