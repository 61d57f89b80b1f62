package dev.lanes.server;

import dev.lanes.runtime.repository.ModelRepository;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether this node takes traffic: ready once its models loaded (all of them under strict
 * readiness) and until it starts draining. While draining it still serves (load balancers need
 * time to stop routing to it); once shutting down it refuses new inference. Thread-safe.
 */
public final class NodeState {
    private final ModelRepository repository;
    private final boolean strictReadiness;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean draining;
    private volatile boolean shuttingDown;

    public NodeState(ModelRepository repository, boolean strictReadiness) {
        this.repository = repository;
        this.strictReadiness = strictReadiness;
        // Loads, reloads and unloads (API or poll) change readiness as much as a drain does.
        repository.onChange(this::changed);
    }

    public boolean ready() {
        return !draining && !shuttingDown && repository.loaded() && (!strictReadiness || repository.allReady());
    }

    public String notReadyReason() {
        if (shuttingDown || draining) {
            return "the server is shutting down";
        }
        if (!repository.loaded()) {
            return "models are still loading";
        }
        return "some models are not ready (strict readiness); see POST /v2/repository/index";
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** From SIGTERM on: draining, then shutting down. */
    public boolean draining() {
        return draining || shuttingDown;
    }

    /** Readiness turns false; inference is still served. */
    public void startDraining() {
        draining = true;
        changed();
    }

    /** Readiness turns false and new inference is refused. */
    public void startShutdown() {
        shuttingDown = true;
        changed();
    }

    /** Runs {@code listener} whenever readiness may have changed (e.g. to update gRPC health). */
    public void onChange(Runnable listener) {
        listeners.add(listener);
        listener.run();
    }

    /** Tells listeners that readiness may have changed. */
    public void changed() {
        listeners.forEach(Runnable::run);
    }
}
