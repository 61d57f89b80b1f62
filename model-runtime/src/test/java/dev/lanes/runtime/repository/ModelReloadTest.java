package dev.lanes.runtime.repository;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.config.ModelConfigParser;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.stats.StatsFactory;
import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.runtime.testing.Await;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.runtime.testing.Tensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading, reloading and unloading one model while requests run: nothing admitted is lost. */
class ModelReloadTest {
    private static final float[] ROW = {1, 2, 3, 4};

    @TempDir
    Path root;
    private TestRepository files;
    private ModelRepository repository;

    @BeforeEach
    void start() throws Exception {
        files = new TestRepository(root).model("m", 1, TestModels.affine());
        repository = new ModelRepository(root, RuntimeSettings.defaults(), StatsFactory.disabled());
        repository.loadAll();
    }

    @AfterEach
    void close() {
        repository.close();
    }

    /** One request the way the server makes it: resolve under a lease, infer, release. */
    private long inferOnce() {
        try (VersionLease lease = repository.acquire("m", OptionalLong.empty())) {
            List<Tensor> outputs = lease.version().infer(List.of(Tensors.fp32("x", new long[]{1, 4}, ROW.clone())),
                    Set.of(), 0).outputs();
            double[] expected = TestModels.affineExpected(ROW);
            float[] actual = Tensors.floats(outputs.get(0));
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5);
            }
            return lease.version().version();
        }
    }

    @Test
    void reload_newVersionUnderLoad_switchesWithoutAFailedRequest() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLongArray servedBy = new AtomicLongArray(3);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> loops = new ArrayList<>();
            for (int client = 0; client < 8; client++) {
                loops.add(clients.submit(() -> {
                    while (running.get()) {
                        try {
                            servedBy.incrementAndGet((int) inferOnce());
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            Await.until(() -> servedBy.get(1) >= 50, Duration.ofSeconds(60), "version 1 serves");
            files.model("m", 2, TestModels.affine());
            CompletableFuture<Void> retired = repository.load("m", Optional.empty());
            assertEquals(2, repository.resolve("m", OptionalLong.empty()).version(), "the switch is immediate");
            retired.get(30, TimeUnit.SECONDS);
            long afterSwitch = servedBy.get(2);
            Await.until(() -> servedBy.get(2) >= afterSwitch + 50, Duration.ofSeconds(60), "version 2 serves");
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(30, TimeUnit.SECONDS);
            }
        }
        assertTrue(failures.isEmpty(), "failed requests: " + failures);
        assertTrue(servedBy.get(1) >= 50 && servedBy.get(2) >= 50, "both versions served: " + servedBy);
        assertThrows(InferenceException.class, () -> repository.resolve("m", OptionalLong.of(1)),
                "the latest policy serves only the new version now");
    }

    @Test
    void reload_failingNewVersion_keepsTheServingVersionAndReportsWhy() {
        files.corrupt("m", 2);
        InferenceException failed = assertThrows(InferenceException.class, () -> repository.load("m", Optional.empty()));
        assertEquals(ErrorKind.INVALID_INPUT, failed.kind());
        assertTrue(failed.getMessage().startsWith("failed to load 'm' version 2: "), failed.getMessage());
        assertEquals(1, repository.resolve("m", OptionalLong.empty()).version());
        assertEquals(1, inferOnce());
    }

    @Test
    void unload_requestHoldingTheVersionFinishes_thenTheModelIsGone() throws Exception {
        VersionLease held = repository.acquire("m", OptionalLong.empty());
        CompletableFuture<Void> closed = repository.unload("m");
        assertEquals(ErrorKind.MODEL_NOT_FOUND,
                assertThrows(InferenceException.class, () -> repository.acquire("m", OptionalLong.empty())).kind());
        assertFalse(closed.isDone(), "a request still holds the version");
        float[] expected = {(float) TestModels.affineExpected(ROW)[0]};
        assertEquals(expected[0], Tensors.floats(held.version().infer(
                List.of(Tensors.fp32("x", new long[]{1, 4}, ROW.clone())), Set.of(), 0).outputs().get(0))[0], 1e-5);
        held.close();
        closed.get(30, TimeUnit.SECONDS);
        assertEquals(List.of(new IndexEntry("m", "", ModelState.UNAVAILABLE, "unloaded", "")), repository.index(),
                "the index still shows the directory, as one that can be loaded");

        repository.load("m", Optional.empty()).get(30, TimeUnit.SECONDS);
        assertEquals(1, inferOnce(), "an unloaded model loads again");
    }

    @Test
    void reload_withConfigOverride_appliesItInsteadOfTheDirectorysConfig() throws Exception {
        ModelConfig override = ModelConfigParser.parseJson("""
                {"max_batch_size": 2, "instance_group": [{"count": 2}]}""");
        repository.load("m", Optional.of(override)).get(30, TimeUnit.SECONDS);
        ModelVersion reloaded = repository.resolve("m", OptionalLong.empty());
        assertEquals(2, reloaded.signature().maxBatchSize());
        assertEquals(2, reloaded.instanceCount());
        assertEquals(1, inferOnce());

        InferenceException wrongModel = assertThrows(InferenceException.class, () -> repository.load("m",
                Optional.of(ModelConfigParser.parseJson("{\"name\": \"other\"}"))));
        assertTrue(wrongModel.getMessage().contains("other"), wrongModel.getMessage());
        assertEquals(2, repository.resolve("m", OptionalLong.empty()).instanceCount(), "the failed load changed nothing");
        assertThrows(com.google.protobuf.InvalidProtocolBufferException.class,
                () -> ModelConfigParser.parseJson("{\"max_batch_size\": \"many\"}"));
        assertTrue(assertThrows(com.google.protobuf.InvalidProtocolBufferException.class,
                () -> ModelConfigParser.parseJson("{\"max_batch_sise\": 2}")).getMessage().contains("max_batch_sise"),
                "an override is parsed strictly: a misspelt field is an error, not silently dropped");
    }

    @Test
    void explicitMode_loadsOnlyTheNamedModels_andIndexesTheRest() throws Exception {
        files.model("other", 1, TestModels.affine());
        try (ModelRepository explicit = new ModelRepository(root, RuntimeSettings.defaults(), StatsFactory.disabled())) {
            explicit.loadOnly(List.of("other"));
            assertEquals(List.of(
                    new IndexEntry("m", "", ModelState.UNAVAILABLE, "not loaded", ""),
                    new IndexEntry("other", "1", ModelState.READY, "", "CPU")), explicit.index());
            assertTrue(explicit.allReady(), "models that are not loaded do not hold readiness back");
        }
    }

    @Test
    void unload_withRequestsQueued_answersEveryOneOfThem() throws Exception {
        // One instance, one request per execution: twelve requests make a queue behind the first.
        files.model("slow", 1, TestModels.slow(256, 512))
                .config("slow", "max_batch_size: 1\ninstance_group [ { count: 1 } ]\n");
        repository.load("slow", Optional.empty());
        int requests = 12;
        CountDownLatch admitted = new CountDownLatch(requests);
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                answers.add(clients.submit(() -> {
                    try (VersionLease lease = repository.acquire("slow", OptionalLong.empty())) {
                        admitted.countDown();
                        go.await();
                        return lease.version().infer(List.of(Tensors.fp32("x", new long[]{1, 256}, new float[256])),
                                Set.of(), 0).outputs().size();
                    }
                }));
            }
            assertTrue(admitted.await(30, TimeUnit.SECONDS));
            go.countDown();
            ModelVersion slow = repository.resolve("slow", OptionalLong.empty());
            Await.until(() -> slow.queueLength() >= 2, Duration.ofSeconds(30), "requests wait in the queue");
            CompletableFuture<Void> closed = repository.unload("slow");
            assertEquals(ErrorKind.MODEL_NOT_FOUND, assertThrows(InferenceException.class,
                    () -> repository.acquire("slow", OptionalLong.empty())).kind(), "new requests are refused");
            for (Future<Integer> answer : answers) {
                assertEquals(1, answer.get(60, TimeUnit.SECONDS), "every admitted request is answered");
            }
            closed.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void loadAndUnload_namesOutsideTheRepository_areRefused() {
        for (String name : List.of("../m", "/etc", ".hidden", "a/b", "a\\b", "..", "")) {
            assertEquals(ErrorKind.INVALID_INPUT,
                    assertThrows(InferenceException.class, () -> repository.load(name, Optional.empty()), name).kind(), name);
            assertEquals(ErrorKind.INVALID_INPUT,
                    assertThrows(InferenceException.class, () -> repository.unload(name), name).kind(), name);
        }
        assertEquals(ErrorKind.MODEL_NOT_FOUND,
                assertThrows(InferenceException.class, () -> repository.load("absent", Optional.empty())).kind());
        assertEquals(ErrorKind.MODEL_NOT_FOUND,
                assertThrows(InferenceException.class, () -> repository.unload("absent")).kind());
    }
}
