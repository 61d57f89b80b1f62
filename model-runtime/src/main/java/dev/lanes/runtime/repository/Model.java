package dev.lanes.runtime.repository;

import dev.lanes.runtime.stats.LoadView;

import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A model directory and what became of it: the versions that serve and an index row for every
 * version considered (or one row for the model when it failed before its versions). Immutable
 * apart from the stats it feeds; gauges read its load through {@link LoadView}.
 */
public final class Model implements LoadView {
    private final String name;
    private final NavigableMap<Long, ModelVersion> ready;
    private final List<IndexEntry> index;

    Model(String name, NavigableMap<Long, ModelVersion> ready, List<IndexEntry> index) {
        this.name = name;
        this.ready = Collections.unmodifiableNavigableMap(new TreeMap<>(ready));
        this.index = List.copyOf(index);
    }

    public String name() {
        return name;
    }

    /** The newest ready version, which requests without a version get (Triton's rule). */
    public Optional<ModelVersion> latest() {
        return Optional.ofNullable(ready.lastEntry()).map(java.util.Map.Entry::getValue);
    }

    public Optional<ModelVersion> version(long version) {
        return Optional.ofNullable(ready.get(version));
    }

    /** Ready versions, oldest first. */
    public List<ModelVersion> readyVersions() {
        return List.copyOf(ready.values());
    }

    public List<IndexEntry> index() {
        return index;
    }

    /** Whether some version was considered under this number, ready or not. */
    boolean knowsVersion(long version) {
        String text = Long.toString(version);
        return index.stream().anyMatch(entry -> entry.version().equals(text));
    }

    public boolean isReady() {
        return !ready.isEmpty() && index.stream().allMatch(entry -> entry.state() == ModelState.READY);
    }

    /** Why the model or one of its versions is not ready, for error messages. */
    Optional<String> failureReason() {
        return index.stream().filter(entry -> entry.state() != ModelState.READY).map(IndexEntry::reason).findFirst();
    }

    @Override
    public int queueLength() {
        int total = 0;
        for (ModelVersion version : ready.values()) {
            total += version.queueLength();
        }
        return total;
    }

    @Override
    public int executingRequests() {
        int total = 0;
        for (ModelVersion version : ready.values()) {
            total += version.executingRequests();
        }
        return total;
    }

    /** Retires every served version; completes when all have closed. */
    CompletableFuture<Void> retire() {
        return CompletableFuture.allOf(ready.values().stream().map(ModelVersion::retire)
                .toArray(CompletableFuture[]::new));
    }

    void shutdown() {
        ready.values().forEach(ModelVersion::shutdown);
    }

    void close() {
        ready.values().forEach(ModelVersion::close);
    }
}
