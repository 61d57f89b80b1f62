package dev.lanes.server.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One Lanes node for a whole test class, over a model repository in its own temporary directory.
 *
 * <p>Nearly every IT used to write the same set-up by hand: a {@code @TempDir} repository, a
 * {@code @BeforeAll} that wrote models into it and started a {@link ServerFixture}, and an
 * {@code @AfterAll} that closed it. Register this as a static {@code @RegisterExtension} field instead:
 *
 * <pre>{@code
 * static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
 *                 .model("affine", 1, TestModels.affine()))
 *         .start(dir -> ServerFixture.start(dir, true));
 * }</pre>
 *
 * <p>The starter may call any {@code ServerFixture.start} overload. JUnit runs this extension's
 * before-all ahead of the class's own {@code @BeforeAll} methods (which may then open clients to
 * {@link #server()}) and its after-all after the class's {@code @AfterAll} methods. After all it
 * closes the node and deletes the directory, also when a test failed; when writing the repository
 * or starting the node fails, the directory is deleted at once.
 */
public final class LanesNode implements BeforeAllCallback, AfterAllCallback {
    /** Writes the models into the (empty) repository directory. */
    @FunctionalInterface
    public interface RepositoryWriter {
        void write(Path repository) throws Exception;
    }

    /** Starts the node over the written repository. */
    @FunctionalInterface
    public interface Starter {
        ServerFixture start(Path repository) throws Exception;
    }

    /** A repository writer waiting for the way to start its node. */
    public static final class Builder {
        private final RepositoryWriter writer;

        private Builder(RepositoryWriter writer) {
            this.writer = writer;
        }

        public LanesNode start(Starter starter) {
            return new LanesNode(writer, starter);
        }
    }

    private final RepositoryWriter writer;
    private final Starter starter;
    private Path repository;
    private ServerFixture server;

    private LanesNode(RepositoryWriter writer, Starter starter) {
        this.writer = writer;
        this.starter = starter;
    }

    public static Builder withRepository(RepositoryWriter writer) {
        return new Builder(writer);
    }

    /** The running node; only between before-all and after-all. */
    public ServerFixture server() {
        if (server == null) {
            throw new IllegalStateException("the node runs only while the test class does");
        }
        return server;
    }

    /** The repository directory the node serves, for tests that add or change models in it. */
    public Path repository() {
        if (repository == null) {
            throw new IllegalStateException("the repository exists only while the test class runs");
        }
        return repository;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path directory = Files.createTempDirectory("lanes-repository-");
        try {
            writer.write(directory);
            server = starter.start(directory);
        } catch (Throwable failure) {
            try {
                deleteRecursively(directory);
            } catch (IOException | RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        repository = directory;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        ServerFixture running = server;
        Path directory = repository;
        server = null;
        repository = null;
        try {
            if (running != null) {
                running.close();
            }
        } finally {
            if (directory != null) {
                deleteRecursively(directory);
            }
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        List<Path> deepestFirst;
        try (Stream<Path> tree = Files.walk(directory)) {
            deepestFirst = tree.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : deepestFirst) {
            Files.delete(path);
        }
    }
}
