package dev.lanes.server;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.runtime.repository.VersionLease;
import dev.lanes.signals.RequestMeters;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The outer part of {@link InferenceService}: refuse while shutting down, hold the addressed
 * version for the work given, and record the outcome and latency under the protocol's tag.
 * Errors propagate for the protocol layer to put on its wire.
 */
final class InferenceGateway {
    /** The metrics tag for requests naming a model this node does not have: keeps tags bounded. */
    static final String UNKNOWN_MODEL_TAG = "_unknown";

    private final ModelRepository repository;
    private final NodeState state;
    private final RequestMeters meters;

    InferenceGateway(ModelRepository repository, NodeState state, RequestMeters meters) {
        this.repository = repository;
        this.state = state;
        this.meters = meters;
    }

    /** Work done while the resolved version is held. */
    @FunctionalInterface
    interface Leased {
        void run(ModelVersion version) throws Exception;
    }

    /** As {@link Leased}, finishing when the returned future does (the answer sent or failed). */
    @FunctionalInterface
    interface LeasedAsync {
        CompletableFuture<?> run(ModelVersion version) throws Exception;
    }

    /**
     * @param version the version as the client wrote it; null or empty for the newest ready one
     */
    void infer(String protocol, String model, String version, Leased exchange) throws Exception {
        long start = System.nanoTime();
        String tag = tag(model);
        String outcome = ErrorMapping.outcome(ErrorKind.RUNTIME_FAILURE); // until the answer is out
        meters.started();
        try {
            try (VersionLease lease = lease(model, version)) {
                exchange.run(lease.version());
            }
            outcome = "success";
        } catch (Exception e) {
            outcome = outcome(e);
            throw e;
        } finally {
            meters.finished(tag, protocol, outcome, System.nanoTime() - start);
        }
    }

    /**
     * As {@link #infer}, for an exchange that completes later on another thread (gRPC answers
     * from the batch's completion): the lease is held and the outcome recorded until the
     * exchange's future completes. The returned future fails with what the exchange failed with.
     */
    CompletableFuture<Void> inferAsync(String protocol, String model, String version, LeasedAsync exchange) {
        long start = System.nanoTime();
        String tag = tag(model);
        meters.started();
        VersionLease lease = null;
        try {
            lease = lease(model, version);
            VersionLease held = lease;
            return exchange.run(lease.version()).handle((ignored, error) -> {
                Throwable cause = InferenceService.unwrap(error);
                try {
                    held.close();
                } finally {
                    meters.finished(tag, protocol, cause == null ? "success" : outcome(cause),
                            System.nanoTime() - start);
                }
                if (cause != null) {
                    throw new CompletionException(cause);
                }
                return null;
            });
        } catch (Throwable e) {
            if (lease != null) {
                lease.close();
            }
            meters.finished(tag, protocol, outcome(e), System.nanoTime() - start);
            return CompletableFuture.failedFuture(e);
        }
    }

    private String tag(String model) {
        return repository.model(model).isPresent() ? model : UNKNOWN_MODEL_TAG;
    }

    /**
     * Refuses while shutting down, else holds the addressed version: the lease lets a reload or
     * unload replace it while this request finishes on it.
     */
    private VersionLease lease(String model, String version) {
        if (state.shuttingDown()) {
            throw new InferenceException(ErrorKind.SHUTTING_DOWN, "the server is shutting down");
        }
        return repository.acquire(model, parseVersion(version));
    }

    private static String outcome(Throwable error) {
        return ErrorMapping.outcome(ErrorMapping.kindOf(error));
    }

    /** The addressed version, or the newest ready one when {@code version} is null or empty. */
    ModelVersion resolve(String model, String version) {
        return repository.resolve(model, parseVersion(version));
    }

    static OptionalLong parseVersion(String text) {
        if (text == null || text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw InferenceException.invalidInput("invalid model version '%s': versions are integers", text);
        }
    }
}
