package dev.lanes.server.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Assembles configuration from, highest priority first: command-line flags, the environment
 * ({@link ConfigKeys#environmentName}), the {@code --config} file, and the bundled
 * application.yaml defaults.
 */
public final class LanesConfig {
    private LanesConfig() {
    }

    public static Config load(Map<String, String> flags, Optional<Path> file, Map<String, String> environment) {
        List<Supplier<? extends ConfigSource>> sources = new ArrayList<>();
        sources.add(ConfigSources.create(flags).name("command line").build());
        sources.add(ConfigSources.create(ConfigKeys.fromEnvironment(environment)).name("environment").build());
        if (file.isPresent()) {
            if (!Files.isRegularFile(file.get())) {
                throw new IllegalArgumentException("--config " + file.get() + ": no such file");
            }
            sources.add(ConfigSources.file(file.get()).build());
        }
        sources.add(ConfigSources.classpath("application.yaml").build());
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(sources)
                .build();
    }
}
