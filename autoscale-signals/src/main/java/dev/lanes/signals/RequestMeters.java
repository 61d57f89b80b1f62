package dev.lanes.signals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-request meters recorded by the protocol layer: outcome counts, end-to-end latency and the
 * in-flight gauge. Meters are looked up once per tag combination and cached, so the hot path does
 * no builder work. Thread-safe.
 */
public final class RequestMeters {
    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public RequestMeters(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(MeterNames.IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Inference requests being handled by this node")
                .register(registry);
    }

    /** Marks a request as started; pair with {@link #finished}. */
    public void started() {
        inFlight.incrementAndGet();
    }

    /**
     * @param model    a model that exists on this node (callers map unknown names to a fixed
     *                 placeholder so tags stay bounded)
     * @param protocol {@code rest} or {@code grpc}
     * @param outcome  {@code success} or an error kind in lower case
     */
    public void finished(String model, String protocol, String outcome, long nanos) {
        inFlight.decrementAndGet();
        counters.computeIfAbsent(model + '\u0000' + protocol + '\u0000' + outcome,
                key -> Counter.builder(MeterNames.REQUESTS)
                        .description("Inference requests by outcome")
                        .tag(MeterNames.TAG_MODEL, model)
                        .tag(MeterNames.TAG_PROTOCOL, protocol)
                        .tag(MeterNames.TAG_OUTCOME, outcome)
                        .register(registry))
                .increment();
        timers.computeIfAbsent(model + '\u0000' + protocol,
                key -> Timer.builder(MeterNames.REQUEST_DURATION)
                        .description("Time from receiving an inference request to sending its response")
                        .tag(MeterNames.TAG_MODEL, model)
                        .tag(MeterNames.TAG_PROTOCOL, protocol)
                        .serviceLevelObjectives(MeterNames.LATENCY_BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public int inFlight() {
        return inFlight.get();
    }
}
