package dev.lanes.server;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.runtime.repository.VersionLease;
import dev.lanes.signals.RequestMeters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalLong;

/**
 * What every inference call does whatever its protocol: refuse while shutting down, resolve the
 * model version, run the protocol's exchange, and record the outcome and latency under the
 * protocol's tag. Errors propagate for the protocol layer to put on its wire.
 */
public final class InferenceGateway {
    /** The metrics tag for requests naming a model this node does not have: keeps tags bounded. */
    static final String UNKNOWN_MODEL_TAG = "_unknown";

    private final ModelRepository repository;
    private final NodeState state;
    private final RequestMeters meters;

    public InferenceGateway(ModelRepository repository, NodeState state, RequestMeters meters) {
        this.repository = repository;
        this.state = state;
        this.meters = meters;
    }

    /** The protocol's half of a call: decode, infer, encode and send, given the resolved version. */
    @FunctionalInterface
    public interface Exchange {
        void run(ModelVersion version) throws Exception;
    }

    /**
     * @param version the version as the client wrote it; null or empty for the newest ready one
     */
    public void infer(String protocol, String model, String version, Exchange exchange) throws Exception {
        long start = System.nanoTime();
        String tag = repository.model(model).isPresent() ? model : UNKNOWN_MODEL_TAG;
        String outcome = ErrorMapping.outcome(ErrorKind.RUNTIME_FAILURE); // until the answer is out
        meters.started();
        try {
            if (state.shuttingDown()) {
                throw new InferenceException(ErrorKind.SHUTTING_DOWN, "the server is shutting down");
            }
            // The lease lets a reload or unload replace the version while this request finishes on it.
            try (VersionLease lease = repository.acquire(model, parseVersion(version))) {
                exchange.run(lease.version());
            }
            outcome = "success";
        } catch (InferenceException e) {
            outcome = ErrorMapping.outcome(e.kind());
            throw e;
        } catch (IOException | UncheckedIOException e) {
            outcome = ErrorMapping.outcome(ErrorKind.INVALID_INPUT); // the client's stream broke
            throw e;
        } finally {
            meters.finished(tag, protocol, outcome, System.nanoTime() - start);
        }
    }

    /** The addressed version, or the newest ready one when {@code version} is null or empty. */
    public ModelVersion resolve(String model, String version) {
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
