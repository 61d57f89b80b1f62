package dev.lanes.server;

import dev.lanes.cache.CacheStats;
import dev.lanes.cache.LocalPredictionCache;
import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.Cancellation;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.batch.RequestOptions;
import dev.lanes.runtime.model.CheckedInputs;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.runtime.stats.StatsFactory;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.InferenceService.InferCall;
import dev.lanes.server.testing.SlowModelDepth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Single-flight followers of the prediction cache (issue 12 item 4), without sockets: a real
 * repository, a slow model whose one instance a 64-row call keeps busy for about a second, and
 * identical requests that miss the cache at once. A follower waits no longer than its own
 * deadline, does not take its leader's timeout for its own, and releases its inputs either way.
 */
class CachingPredictorTest {
    private static final int WIDTH = 1024; // narrower rows are too little work to time on a fast core
    private static final String SLOW_CONFIG = """
            max_batch_size: 64
            instance_group [ { count: 1 kind: KIND_CPU } ]
            parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
            """;

    @TempDir
    static Path root;
    static ModelRepository repository;
    static ModelVersion slow;
    static DirectBufferPool pool;

    private final CachingPredictor predictor = new CachingPredictor(
            new LocalPredictionCache(1 << 20, Duration.ofMinutes(1)), CacheStats.disabled(), true);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void load() throws Exception {
        new TestRepository(root).model("slow", 1, TestModels.slow(WIDTH, SlowModelDepth.forOneSecond(WIDTH)))
                .config("slow", SLOW_CONFIG);
        repository = new ModelRepository(root, RuntimeSettings.defaults(), StatsFactory.disabled());
        repository.loadAll();
        slow = repository.resolve("slow", OptionalLong.empty());
        pool = repository.bufferPool();
    }

    @AfterAll
    static void close() {
        repository.close();
    }

    @Test
    void follower_leaderTimesOutButTheFollowerHasTime_triesAgainAndIsAnswered() throws Exception {
        long leasedBefore = pool.leasedBytes();
        CompletableFuture<InferenceResult> blocker = occupyTheInstance();
        Future<Object> leader = threads.submit(() -> outcome(call(7f, 300_000))); // 300 ms, then expires queued
        awaitFlight();
        Future<Object> follower = threads.submit(() -> outcome(call(7f, 0))); // no timeout of its own
        awaitFollower();
        assertFalse(leader.isDone(), "the follower joined while its leader was still queued");

        assertEquals(ErrorKind.DEADLINE_EXCEEDED, assertInstanceOf(InferenceException.class, leader.get()).kind());
        InferenceResult answered = assertInstanceOf(InferenceResult.class, follower.get(60, TimeUnit.SECONDS));
        assertEquals(WIDTH * 4, answered.outputs().get(0).data().remaining());
        blocker.get(60, TimeUnit.SECONDS);
        assertEquals(leasedBefore, pool.leasedBytes(), "every input went back to the pool");
    }

    @Test
    void follower_ownDeadlineShorterThanItsLeaders_givesUpAloneAndReleasesItsInputs() throws Exception {
        long leasedBefore = pool.leasedBytes();
        CompletableFuture<InferenceResult> blocker = occupyTheInstance();
        Future<Object> leader = threads.submit(() -> outcome(call(3f, 0)));
        awaitFlight();
        long start = System.nanoTime();
        Object follower = outcome(call(3f, 100_000)); // 100 ms against the leader's second or more
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(ErrorKind.DEADLINE_EXCEEDED, assertInstanceOf(InferenceException.class, follower).kind());
        assertFalse(leader.isDone(), "the follower gave up before its leader's answer (after " + waitedMillis + " ms)");
        assertInstanceOf(InferenceResult.class, leader.get(60, TimeUnit.SECONDS));
        blocker.get(60, TimeUnit.SECONDS);
        assertEquals(leasedBefore, pool.leasedBytes(), "every input went back to the pool");
    }

    /** A 64-row call past the cache: the instance runs it for about a second. */
    private CompletableFuture<InferenceResult> occupyTheInstance() throws Exception {
        CompletableFuture<InferenceResult> blocker = predictor.predictAsync(slow,
                new InferCall(inputs(64, 1f), options(0), true));
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (slow.executingRequests() == 0 && System.nanoTime() < giveUp) {
            Thread.sleep(1);
        }
        assertEquals(1, slow.executingRequests(), "the 64-row call is running");
        return blocker;
    }

    private void awaitFlight() throws InterruptedException {
        awaitCount(() -> predictor.flights().inFlight());
    }

    private void awaitFollower() throws InterruptedException {
        awaitCount(() -> predictor.flights().waiting());
    }

    private static void awaitCount(java.util.function.IntSupplier count) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count.getAsInt() == 0 && System.nanoTime() < giveUp) {
            Thread.sleep(1);
        }
        assertEquals(1, count.getAsInt());
    }

    private InferCall call(float value, long timeoutMicros) {
        return new InferCall(inputs(1, value), options(timeoutMicros), false);
    }

    private Object outcome(InferCall call) {
        try {
            return predictor.predict(slow, call);
        } catch (InferenceException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static RequestOptions options(long timeoutMicros) {
        return new RequestOptions(Set.of(), timeoutMicros, Long.MAX_VALUE, Cancellation.NONE);
    }

    /** Pooled, as the decoders lease them, and filled: pooled buffers come back with old bytes. */
    private static CheckedInputs inputs(int rows, float value) {
        ByteBuffer data = pool.acquire(rows * WIDTH * 4);
        for (int i = 0; i < rows * WIDTH; i++) {
            data.putFloat(i * 4, value);
        }
        Tensor x = Tensor.pooled("x", DataType.FP32, new long[]{rows, WIDTH}, data, pool);
        return slow.signature().check(List.of(x));
    }
}
