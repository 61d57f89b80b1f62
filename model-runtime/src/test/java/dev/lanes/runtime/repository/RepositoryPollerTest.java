package dev.lanes.runtime.repository;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.runtime.stats.StatsFactory;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.OptionalLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Control mode poll: each scan applies what changed on disk, and only that. */
class RepositoryPollerTest {
    @TempDir
    Path root;
    private TestRepository files;
    private ModelRepository repository;
    private RepositoryPoller poller;

    @BeforeEach
    void start() throws Exception {
        files = new TestRepository(root).model("m", 1, TestModels.affine());
        repository = new ModelRepository(root, RuntimeSettings.defaults(), StatsFactory.disabled());
        repository.loadAll();
        poller = new RepositoryPoller(repository, Duration.ofHours(1)); // the test drives poll() itself
        poller.start();
    }

    @AfterEach
    void close() {
        poller.close();
        repository.close();
    }

    @Test
    void newVersion_changedConfig_newAndRemovedModels_areApplied() throws Exception {
        ModelVersion first = repository.resolve("m", OptionalLong.empty());
        poller.poll();
        assertEquals(first, repository.resolve("m", OptionalLong.empty()), "nothing changed, nothing reloaded");

        files.model("m", 2, TestModels.affine());
        poller.poll();
        assertEquals(2, repository.resolve("m", OptionalLong.empty()).version());

        files.config("m", "max_batch_size: 3\n");
        poller.poll();
        assertEquals(3, repository.resolve("m", OptionalLong.empty()).signature().maxBatchSize());

        files.config("m", "max_batch_size: [ not a number ]\n");
        poller.poll();
        assertEquals(3, repository.resolve("m", OptionalLong.empty()).signature().maxBatchSize(),
                "a broken config leaves the serving version alone");

        files.model("added", 1, TestModels.affine());
        poller.poll();
        assertEquals(1, repository.resolve("added", OptionalLong.empty()).version());

        try (Stream<Path> tree = Files.walk(root.resolve("added"))) {
            tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        poller.poll();
        assertEquals(ErrorKind.MODEL_NOT_FOUND, assertThrows(InferenceException.class,
                () -> repository.resolve("added", OptionalLong.empty())).kind());
    }
}
