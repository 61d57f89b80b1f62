package dev.lanes.server;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.batch.RequestOptions;
import dev.lanes.runtime.model.CheckedInputs;
import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.runtime.repository.VersionLease;
import dev.lanes.runtime.stats.VersionStatistics;
import dev.lanes.signals.RequestMeters;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one way an inference goes through the node, whatever its protocol: refuse while shutting
 * down, hold the addressed version, refuse early when its queue is full, let the protocol decode,
 * answer from the prediction cache or the batcher, let the protocol write the answer, and meter
 * the outcome. REST and gRPC only decode and encode ({@link Exchange}); errors propagate for
 * them to put on their wire through {@link ErrorMapping}.
 *
 * <p>It alone writes the request outcomes: the node's request meters (per protocol) and the
 * version's Triton statistics (success and failure counts and durations).
 */
public final class InferenceService {
    /** The metrics tag for requests naming a model this node does not have: keeps tags bounded. */
    static final String UNKNOWN_MODEL_TAG = "_unknown";
    static final String SUCCESS = "success";

    private final ModelRepository repository;
    private final NodeState state;
    private final RequestMeters meters;
    private final CachingPredictor predictor;

    InferenceService(ModelRepository repository, NodeState state, RequestMeters meters, CachingPredictor predictor) {
        this.repository = repository;
        this.state = state;
        this.meters = meters;
        this.predictor = predictor;
    }

    /**
     * A decoded request and its options.
     *
     * @param inputs      the decoded inputs, checked against the signature; the service owns them from here on
     * @param options     outputs, timeout, client deadline and cancellation
     * @param cacheBypass answer from the model, not the prediction cache
     */
    public record InferCall(CheckedInputs inputs, RequestOptions options, boolean cacheBypass) {
    }

    /**
     * A protocol's two halves of one inference.
     *
     * @param <R> the request as the protocol decoded it (what its answer needs besides the result)
     */
    public interface Exchange<R> {
        /** Reads the request against the version it addresses; runs after early refusal. */
        R decode(ModelVersion version) throws Exception;

        /** The call to run for a decoded request; must not throw (the decoded inputs are not yet the service's). */
        InferCall call(R request);

        /** Writes the answer; runs while the version is still held and the request still metered. */
        void answer(ModelVersion version, R request, InferenceResult result) throws Exception;
    }

    /**
     * For a protocol whose thread waits for the answer (REST on virtual threads).
     *
     * @param version the version as the client wrote it; null or empty for the newest ready one
     */
    public <R> void infer(String protocol, String model, String version, Exchange<R> exchange) throws Exception {
        long start = System.nanoTime();
        String tag = tag(model);
        String outcome = ErrorMapping.outcome(ErrorKind.RUNTIME_FAILURE); // until the answer is out
        meters.started();
        try (VersionLease lease = lease(model, version)) {
            ModelVersion resolved = lease.version();
            R request = decode(resolved, exchange);
            InferCall call = exchange.call(request);
            VersionStatistics statistics = resolved.statistics();
            long predictStart = System.nanoTime();
            InferenceResult result;
            try {
                result = predictor.predict(resolved, call);
            } catch (Exception | Error e) {
                statistics.failed(System.nanoTime() - predictStart);
                throw e;
            }
            statistics.succeeded(System.nanoTime() - predictStart);
            exchange.answer(resolved, request, result);
            outcome = SUCCESS;
        } catch (Exception e) {
            outcome = outcome(e);
            throw e;
        } finally {
            meters.finished(tag, protocol, outcome, System.nanoTime() - start);
        }
    }

    /**
     * For a protocol answered from the batch's completion (gRPC): the answer is written by the
     * thread that finished the batch (for a cached model, the calling thread) and no thread waits
     * meanwhile. The lease is held and the outcome recorded until the answer is written; the
     * future fails with what the call failed with.
     */
    public <R> CompletableFuture<Void> inferAsync(String protocol, String model, String version, Exchange<R> exchange) {
        long start = System.nanoTime();
        String tag = tag(model);
        meters.started();
        VersionLease lease = null;
        try {
            lease = lease(model, version);
            VersionLease held = lease;
            return predictAndAnswer(lease.version(), exchange).handle((ignored, error) -> {
                Throwable cause = unwrap(error);
                try {
                    held.close();
                } finally {
                    meters.finished(tag, protocol, cause == null ? SUCCESS : outcome(cause), System.nanoTime() - start);
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

    private <R> CompletableFuture<Void> predictAndAnswer(ModelVersion version, Exchange<R> exchange) throws Exception {
        R request = decode(version, exchange);
        InferCall call = exchange.call(request);
        VersionStatistics statistics = version.statistics();
        long predictStart = System.nanoTime();
        CompletableFuture<InferenceResult> prediction;
        try {
            prediction = predictor.predictAsync(version, call);
        } catch (Exception | Error e) {
            statistics.failed(System.nanoTime() - predictStart);
            throw e;
        }
        return prediction.whenComplete((result, error) -> {
            long nanos = System.nanoTime() - predictStart;
            if (error == null) {
                statistics.succeeded(nanos);
            } else {
                statistics.failed(nanos);
            }
        }).thenAccept(result -> {
            try {
                exchange.answer(version, request, result);
            } catch (CompletionException e) {
                throw e; // wrapped once already; unwrap() strips one layer
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    /** The failure itself, not the wrapper a completion stage adds. */
    public static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The addressed version, or the newest ready one when {@code version} is null or empty. */
    public ModelVersion resolve(String model, String version) {
        return repository.resolve(model, parseVersion(version));
    }

    /**
     * Early refusal first: a request arriving at a full queue is refused before it is read, and
     * counted as a failed request of the version.
     */
    private <R> R decode(ModelVersion version, Exchange<R> exchange) throws Exception {
        try {
            predictor.refuseEarlyIfOverloaded(version);
        } catch (InferenceException e) {
            version.statistics().failed(0);
            throw e;
        }
        return exchange.decode(version);
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
