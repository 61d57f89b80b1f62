package dev.lanes.runtime.repository;

import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.config.ModelConfigParser;
import dev.lanes.runtime.config.proto.ModelConfig;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Triton's repository layout on disk, read-only: {@code <root>/<model>/[config.pbtxt]} and
 * {@code <root>/<model>/<version>/<model file>}. Hidden directories are not models; version
 * directories are decimal numbers.
 */
final class RepositoryLayout {
    private static final String CONFIG_FILE = "config.pbtxt";

    private final Path root;

    RepositoryLayout(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    void requireRootDirectory() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("model repository " + root + " is not a directory");
        }
    }

    /** The model directories under the root, by name. */
    List<Path> modelDirectories() throws IOException {
        requireRootDirectory();
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Files::isDirectory)
                    .filter(dir -> !dir.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        }
    }

    /**
     * The directory of a model named by a client.
     *
     * @throws InferenceException INVALID_INPUT for a bad name, MODEL_NOT_FOUND without such a directory
     */
    Path modelDirectory(String name) {
        ModelNames.validate(name);
        Path directory = root.resolve(name).normalize();
        if (!directory.startsWith(root) || !Files.isDirectory(directory)) {
            throw InferenceException.unknownModel(name);
        }
        return directory;
    }

    /** The model's configuration: the override, else its config.pbtxt, else Triton's empty default. */
    static ModelConfig config(Path modelDirectory, Optional<ModelConfig> override) throws IOException {
        if (override.isPresent()) {
            return override.get();
        }
        Path configFile = modelDirectory.resolve(CONFIG_FILE);
        return Files.isRegularFile(configFile) ? ModelConfigParser.read(configFile) : ModelConfig.getDefaultInstance();
    }

    static NavigableSet<Long> versionsOnDisk(Path modelDirectory) throws IOException {
        NavigableSet<Long> versions = new TreeSet<>();
        try (Stream<Path> children = Files.list(modelDirectory)) {
            children.filter(Files::isDirectory).forEach(child -> {
                String text = child.getFileName().toString();
                if (text.matches("[0-9]{1,18}")) {
                    versions.add(Long.parseLong(text));
                }
            });
        }
        return versions;
    }

    /**
     * A failure reason as clients see it (index, load answers): paths relative to the repository,
     * so the node's filesystem layout stays in its log.
     */
    String forClients(String reason) {
        String absolute = root.toString();
        return reason.replace(absolute + File.separator, "").replace(absolute, "<repository>");
    }
}
