package dev.lanes.runtime.repository;

import dev.lanes.runtime.InferenceException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Control mode poll: rescans the repository at a fixed interval and applies what changed, as
 * Triton's {@code --model-control-mode=poll} does. A model whose files changed (config.pbtxt,
 * version directories, model files) is reloaded without downtime, a new directory is loaded and
 * a removed one unloaded. A failed reload is logged and leaves the serving version in place.
 */
public final class RepositoryPoller implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RepositoryPoller.class.getName());

    private final ModelRepository repository;
    private final Duration interval;
    private Map<String, String> seen;
    private volatile Thread thread;

    public RepositoryPoller(ModelRepository repository, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive, got " + interval);
        }
        this.repository = repository;
        this.interval = interval;
    }

    /** Takes the current files as the baseline (what loadAll loaded) and starts polling. */
    public void start() throws IOException {
        seen = fingerprints();
        thread = Thread.ofPlatform().daemon().name("repository-poller").start(this::run);
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
                poll();
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "polling the model repository failed: " + e.getMessage(), e);
            }
        }
    }

    /** One scan: applies every change since the last one. Public for tests that drive it. */
    public synchronized void poll() throws IOException {
        Map<String, String> now = fingerprints();
        for (Map.Entry<String, String> model : now.entrySet()) {
            if (!model.getValue().equals(seen.get(model.getKey()))) {
                apply(model.getKey(), () -> repository.load(model.getKey(), Optional.empty()), "loaded");
            }
        }
        for (String gone : seen.keySet()) {
            if (!now.containsKey(gone) && repository.model(gone).isPresent()) {
                apply(gone, () -> repository.unload(gone), "unloaded");
            }
        }
        seen = now;
    }

    private static void apply(String model, Runnable change, String done) {
        try {
            change.run();
            LOG.info(() -> "poll: model " + model + " " + done);
        } catch (InferenceException e) {
            LOG.warning(() -> "poll: model " + model + ": " + e.getMessage());
        }
    }

    /** Per model directory, a string that changes whenever a file in it is added, removed or rewritten. */
    private Map<String, String> fingerprints() throws IOException {
        Map<String, String> fingerprints = new HashMap<>();
        for (Path directory : repository.modelDirectories()) {
            StringBuilder fingerprint = new StringBuilder();
            try (Stream<Path> files = Files.walk(directory, 3)) {
                List<Path> sorted = files.sorted().toList();
                for (Path file : sorted) {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                    fingerprint.append(directory.relativize(file)).append(':').append(attributes.size()).append(':')
                            .append(attributes.lastModifiedTime().toMillis()).append('\n');
                }
            } catch (IOException e) {
                fingerprint.append("unreadable: ").append(e.getMessage()); // retried at the next scan
            }
            fingerprints.put(directory.getFileName().toString(), fingerprint.toString());
        }
        return fingerprints;
    }

    @Override
    public void close() {
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }
}
