package dev.lanes.server;

import dev.lanes.runtime.batch.Cancellation;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.runtime.tensor.Tensor;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one way an inference goes through the node, whatever its protocol: refuse while shutting
 * down, hold the addressed version, refuse early when its queue is full, let the protocol decode,
 * answer from the prediction cache or the batcher, let the protocol write the answer, and meter
 * the outcome. REST and gRPC only decode and encode ({@link Exchange}).
 */
public final class InferenceService {
    private final InferenceGateway gateway;
    private final CachingPredictor predictor;

    InferenceService(InferenceGateway gateway, CachingPredictor predictor) {
        this.gateway = gateway;
        this.predictor = predictor;
    }

    /**
     * A decoded request and its options.
     *
     * @param inputs              the decoded tensors; the service owns them from here on
     * @param outputs             the outputs asked for; empty for all
     * @param timeoutMicros       the request's own queue timeout, 0 for none
     * @param clientDeadlineNanos the client's deadline as a nanoTime value, {@link Long#MAX_VALUE} for none
     * @param cacheBypass         answer from the model, not the prediction cache
     * @param cancellation        the client giving up; {@link Cancellation#NONE} where it cannot
     */
    public record InferCall(List<Tensor> inputs, Set<String> outputs, long timeoutMicros, long clientDeadlineNanos,
                            boolean cacheBypass, Cancellation cancellation) {
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

    /** For a protocol whose thread waits for the answer (REST on virtual threads). */
    public <R> void infer(String protocol, String model, String version, Exchange<R> exchange) throws Exception {
        gateway.infer(protocol, model, version, resolved -> {
            R request = decode(resolved, exchange);
            InferCall call = exchange.call(request);
            InferenceResult result = predictor.predict(resolved, call.inputs(), call.outputs(), call.timeoutMicros(),
                    call.clientDeadlineNanos(), call.cacheBypass(), call.cancellation());
            exchange.answer(resolved, request, result);
        });
    }

    /**
     * For a protocol answered from the batch's completion (gRPC): the answer is written by the
     * thread that finished the batch (for a cached model, the calling thread) and no thread waits
     * meanwhile. The future fails with what the call failed with.
     */
    public <R> CompletableFuture<Void> inferAsync(String protocol, String model, String version, Exchange<R> exchange) {
        return gateway.inferAsync(protocol, model, version, resolved -> {
            R request = decode(resolved, exchange);
            InferCall call = exchange.call(request);
            return predictor.predictAsync(resolved, call.inputs(), call.outputs(), call.timeoutMicros(),
                    call.clientDeadlineNanos(), call.cacheBypass(), call.cancellation()).thenAccept(result -> {
                        try {
                            exchange.answer(resolved, request, result);
                        } catch (CompletionException e) {
                            throw e; // wrapped once already; unwrap() strips one layer
                        } catch (Exception e) {
                            throw new CompletionException(e);
                        }
                    });
        });
    }

    /** The failure itself, not the wrapper a completion stage adds. */
    public static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The addressed version, or the newest ready one when {@code version} is null or empty. */
    public ModelVersion resolve(String model, String version) {
        return gateway.resolve(model, version);
    }

    /** Early refusal first: a request arriving at a full queue is refused before it is read. */
    private <R> R decode(ModelVersion version, Exchange<R> exchange) throws Exception {
        predictor.refuseEarlyIfOverloaded(version);
        return exchange.decode(version);
    }
}
