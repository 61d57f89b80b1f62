package dev.lanes.benchmarks.load;

import java.util.Optional;

/** Something that takes requests: a server over some protocol, or ONNX Runtime in-process. */
public interface CallerSource {
    /** A caller for one thread. */
    Caller newCaller();

    /** A caller that does not block, where the transport has one; closed loops prefer it. */
    default Optional<AsyncCaller> asyncCaller() {
        return Optional.empty();
    }

    /** Protocol label for results. */
    String protocolLabel();

    /** Model name whose server meters count these requests. */
    String model();

    /** Base URL whose /metrics counts these requests, if any. */
    default Optional<String> metricsUrl() {
        return Optional.empty();
    }
}
