package dev.lanes.signals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * Requests refused for how they were sent (malformed framing, timeouts, oversized heads) and the
 * REST connections open: what an operator watches for a hostile or broken client, since such
 * refusals are only rate-limited in the log. Thread-safe.
 */
public final class ProtocolErrorMeters {
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public ProtocolErrorMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the counters of reasons known in advance at 0, so their rates have data at once. */
    public void expect(String protocol, List<String> reasons) {
        reasons.forEach(reason -> counter(protocol, reason));
    }

    /**
     * @param protocol {@code rest} or {@code grpc}
     * @param reason   a bounded label: an HTTP status code, or a transport error's kind
     */
    public void refused(String protocol, String reason) {
        counter(protocol, reason).increment();
    }

    private Counter counter(String protocol, String reason) {
        return counters.computeIfAbsent(protocol + ' ' + reason, key -> Counter.builder(MeterNames.PROTOCOL_ERRORS)
                .description("Requests refused for how they were sent, before any model saw them")
                .tag(MeterNames.TAG_PROTOCOL, protocol)
                .tag(MeterNames.TAG_REASON, reason)
                .register(registry));
    }

    public void bindRestConnections(IntSupplier open) {
        Gauge.builder(MeterNames.REST_CONNECTIONS, open::getAsInt)
                .description("REST connections open on this node")
                .register(registry);
    }
}
