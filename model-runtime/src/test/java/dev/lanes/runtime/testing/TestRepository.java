package dev.lanes.runtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a Triton-layout model repository in a directory for one test. */
public final class TestRepository {
    private final Path root;

    public TestRepository(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public TestRepository model(String name, long version, OnnxModelWriter model) {
        model.write(root.resolve(name).resolve(Long.toString(version)).resolve("model.onnx"));
        return this;
    }

    public TestRepository config(String name, String configText) {
        try {
            Files.createDirectories(root.resolve(name));
            Files.writeString(root.resolve(name).resolve("config.pbtxt"), configText);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public TestRepository corrupt(String name, long version) {
        TestModels.writeCorrupt(root.resolve(name).resolve(Long.toString(version)).resolve("model.onnx"));
        return this;
    }
}
