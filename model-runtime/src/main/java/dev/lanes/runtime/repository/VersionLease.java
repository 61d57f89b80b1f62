package dev.lanes.runtime.repository;

/**
 * A request's hold on the version it resolved: while held, a reload or unload that replaces the
 * version lets the request finish on it before the version closes. Close exactly once.
 */
public final class VersionLease implements AutoCloseable {
    private final ModelVersion version;
    private boolean released;

    VersionLease(ModelVersion version) {
        this.version = version;
    }

    public ModelVersion version() {
        return version;
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            version.release();
        }
    }
}
