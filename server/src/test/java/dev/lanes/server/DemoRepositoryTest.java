package dev.lanes.server;

import dev.lanes.runtime.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The bundled demo models are exactly what the generator writes, so they cannot drift. */
class DemoRepositoryTest {
    @TempDir
    Path generated;

    @Test
    void demoRepository_matchesTheGenerator() throws Exception {
        Path bundled = Path.of("demo-models");
        for (Path file : TestModels.writeDemoRepository(generated)) {
            Path relative = generated.relativize(file);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(bundled.resolve(relative)),
                    relative + " differs; regenerate with TestModels.main");
        }
    }
}
