package dev.lanes.runtime.repository;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.model.ProviderChoice;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.stats.StatsFactory;
import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.runtime.testing.Tensors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelRepositoryTest {
    @TempDir
    Path root;

    private ModelRepository repository;

    @AfterEach
    void close() {
        if (repository != null) {
            repository.close();
        }
    }

    private ModelRepository load(RuntimeSettings settings) throws Exception {
        repository = new ModelRepository(root, settings, StatsFactory.disabled());
        repository.loadAll();
        return repository;
    }

    @Test
    void loadAll_modelWithoutConfig_batchesWithDefaultsAndComputesAffine() throws Exception {
        new TestRepository(root).model("affine", 1, TestModels.affine());
        load(RuntimeSettings.defaults());

        ModelVersion version = repository.resolve("affine", OptionalLong.empty());
        assertEquals(8, version.signature().maxBatchSize());
        assertTrue(version.policy().dynamicBatching());
        assertArrayEquals(new long[]{-1, 4}, version.signature().publicShape(version.signature().inputs().get(0)));

        float[] x = {1, 2, 3, 4, -1, 0.5f, 2, 0};
        InferenceResult result = version.infer(List.of(Tensors.fp32("x", new long[]{2, 4}, x)), Set.of(), 0);
        Tensor y = result.outputs().get(0);
        assertArrayEquals(new long[]{2, 3}, y.shape());
        double[] expected = TestModels.affineExpected(x);
        float[] actual = Tensors.floats(y);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5);
        }
    }

    @Test
    void loadAll_mixedDatatypes_everyOutputMatches() throws Exception {
        new TestRepository(root).model("mixed", 1, TestModels.mixed());
        load(RuntimeSettings.defaults());

        ModelVersion version = repository.resolve("mixed", OptionalLong.of(1));
        InferenceResult result = version.infer(List.of(
                Tensors.fp64("b", new long[]{1, 3}, 0.5, -2.0, 0.0),
                Tensors.int32("a", new long[]{1, 3}, 1, -7, 3)), Set.of(), 0);
        List<Tensor> outputs = result.outputs();
        assertEquals(List.of("sum", "neg", "positive", "wide"), outputs.stream().map(Tensor::name).toList());
        assertArrayEquals(new double[]{1.5, -9.0, 3.0}, Tensors.doubles(outputs.get(0)));
        assertArrayEquals(new int[]{-1, 7, -3}, Tensors.ints(outputs.get(1)));
        assertArrayEquals(new byte[]{1, 0, 0}, Tensors.bytes(outputs.get(2)));
        assertArrayEquals(new long[]{1, -7, 3}, Tensors.longs(outputs.get(3)));
    }

    @Test
    void infer_requestedOutputs_returnsOnlyThose() throws Exception {
        new TestRepository(root).model("mixed", 1, TestModels.mixed());
        load(RuntimeSettings.defaults());

        InferenceResult result = repository.resolve("mixed", OptionalLong.empty()).infer(List.of(
                Tensors.int32("a", new long[]{1, 3}, 1, 2, 3),
                Tensors.fp64("b", new long[]{1, 3}, 1, 1, 1)), Set.of("neg"), 0);
        assertEquals(List.of("neg"), result.outputs().stream().map(Tensor::name).toList());
    }

    @Test
    void loadAll_corruptAndGoodModels_goodOneServesCorruptOneReportsReason() throws Exception {
        new TestRepository(root).model("affine", 1, TestModels.affine()).corrupt("broken", 1);
        load(RuntimeSettings.defaults());

        assertFalse(repository.allReady());
        IndexEntry broken = repository.index().stream().filter(e -> e.name().equals("broken")).findFirst().orElseThrow();
        assertEquals(ModelState.UNAVAILABLE, broken.state());
        assertFalse(broken.reason().isBlank());
        InferenceException error = assertThrows(InferenceException.class,
                () -> repository.resolve("broken", OptionalLong.empty()));
        assertEquals(ErrorKind.MODEL_NOT_READY, error.kind());
        assertEquals(ModelState.READY, repository.index().get(0).state());
    }

    @Test
    void loadAll_configNamingAnotherModel_isUnavailableWithReason() throws Exception {
        new TestRepository(root).model("affine", 1, TestModels.affine()).config("affine", "name: \"other\"\n");
        load(RuntimeSettings.defaults());

        IndexEntry entry = repository.index().get(0);
        assertEquals(ModelState.UNAVAILABLE, entry.state());
        assertTrue(entry.reason().contains("other"), entry.reason());
    }

    @Test
    void loadAll_malformedConfig_isUnavailableAndNamesTheFile() throws Exception {
        new TestRepository(root).model("affine", 1, TestModels.affine()).config("affine", "max_batch_size: [[[");
        load(RuntimeSettings.defaults());

        IndexEntry entry = repository.index().get(0);
        assertEquals(ModelState.UNAVAILABLE, entry.state());
        assertTrue(entry.reason().contains("config.pbtxt"), entry.reason());
    }

    @Test
    void loadAll_configDisagreesWithModel_isUnavailable() throws Exception {
        new TestRepository(root).model("affine", 1, TestModels.affine()).config("affine", """
                max_batch_size: 4
                input [ { name: "x" data_type: TYPE_INT32 dims: [ 4 ] } ]
                output [ { name: "y" data_type: TYPE_FP32 dims: [ 3 ] } ]
                """);
        load(RuntimeSettings.defaults());

        IndexEntry entry = repository.index().get(0);
        assertEquals(ModelState.UNAVAILABLE, entry.state());
        assertTrue(entry.reason().contains("TYPE_INT32"), entry.reason());
    }

    @Test
    void resolve_versions_followPolicyAndServeNewestByDefault() throws Exception {
        new TestRepository(root)
                .model("affine", 1, TestModels.affine())
                .model("affine", 2, TestModels.affine())
                .model("affine", 3, TestModels.affine())
                .config("affine", "version_policy: { specific: { versions: [1, 2] } }\n");
        load(RuntimeSettings.defaults());

        assertEquals(2, repository.resolve("affine", OptionalLong.empty()).version());
        assertEquals(1, repository.resolve("affine", OptionalLong.of(1)).version());
        InferenceException notServed = assertThrows(InferenceException.class,
                () -> repository.resolve("affine", OptionalLong.of(3)));
        assertEquals(ErrorKind.MODEL_NOT_FOUND, notServed.kind());
        assertEquals(ErrorKind.MODEL_NOT_FOUND, assertThrows(InferenceException.class,
                () -> repository.resolve("nope", OptionalLong.empty())).kind());
    }

    @Test
    void loadAll_latestPolicyDefault_servesOnlyHighestVersion() throws Exception {
        new TestRepository(root).model("affine", 1, TestModels.affine()).model("affine", 10, TestModels.affine());
        load(RuntimeSettings.defaults());

        assertEquals(10, repository.resolve("affine", OptionalLong.empty()).version());
        assertEquals(ErrorKind.MODEL_NOT_FOUND, assertThrows(InferenceException.class,
                () -> repository.resolve("affine", OptionalLong.of(1))).kind());
    }

    @Test
    void loadAll_fixedBatchModel_doesNotBatchAndRunsAlone() throws Exception {
        new TestRepository(root).model("fixed", 1, TestModels.fixedBatch());
        load(RuntimeSettings.defaults());

        ModelVersion version = repository.resolve("fixed", OptionalLong.empty());
        assertEquals(0, version.signature().maxBatchSize());
        assertFalse(version.policy().dynamicBatching());
        InferenceResult result = version.infer(List.of(Tensors.fp32("x", new long[]{1, 4}, -1, 2, -3, 4)), Set.of(), 0);
        assertArrayEquals(new float[]{0, 2, 0, 4}, Tensors.floats(result.outputs().get(0)));
    }

    @Test
    void loadAll_kindGpuWithoutCuda_isUnavailableNamingCuda() throws Exception {
        new TestRepository(root).model("affine", 1, TestModels.affine())
                .config("affine", "instance_group [ { kind: KIND_GPU count: 1 } ]\n");
        load(RuntimeSettings.defaults());

        IndexEntry entry = repository.index().get(0);
        assertEquals(ModelState.UNAVAILABLE, entry.state());
        assertTrue(entry.reason().contains("CUDA"), entry.reason());
    }

    @Test
    void loadAll_autoProviderWithoutCuda_fallsBackToCpu() throws Exception {
        new TestRepository(root).model("affine", 1, TestModels.affine());
        load(RuntimeSettings.defaults().withExecutionProvider(ProviderChoice.AUTO));

        assertEquals("CPU", repository.index().get(0).provider());
        assertEquals(ModelState.READY, repository.index().get(0).state());
    }

    @Test
    void infer_invalidInputs_failWithNamedInput() throws Exception {
        new TestRepository(root).model("affine", 1, TestModels.affine());
        load(RuntimeSettings.defaults());
        ModelVersion version = repository.resolve("affine", OptionalLong.empty());

        InferenceException wrongShape = assertThrows(InferenceException.class, () ->
                version.infer(List.of(Tensors.fp32("x", new long[]{1, 3}, 1, 2, 3)), Set.of(), 0));
        assertEquals(ErrorKind.INVALID_INPUT, wrongShape.kind());
        assertTrue(wrongShape.getMessage().contains("'x'"), wrongShape.getMessage());

        InferenceException tooManyRows = assertThrows(InferenceException.class, () ->
                version.infer(List.of(Tensors.fp32("x", new long[]{9, 4}, new float[36])), Set.of(), 0));
        assertTrue(tooManyRows.getMessage().contains("max_batch_size"), tooManyRows.getMessage());

        InferenceException unknownOutput = assertThrows(InferenceException.class, () ->
                version.infer(List.of(Tensors.fp32("x", new long[]{1, 4}, 1, 2, 3, 4)), Set.of("z"), 0));
        assertTrue(unknownOutput.getMessage().contains("'z'"), unknownOutput.getMessage());

        InferenceException missing = assertThrows(InferenceException.class, () ->
                version.infer(List.of(), Set.of(), 0));
        assertTrue(missing.getMessage().contains("missing input 'x'"), missing.getMessage());
    }
}
