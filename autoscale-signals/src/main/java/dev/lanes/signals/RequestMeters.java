package dev.lanes.signals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.List;
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
    private final Map<String, Map<String, Map<String, Counter>>> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Timer>> timers = new ConcurrentHashMap<>();

    public RequestMeters(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(MeterNames.IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Inference requests being handled by this node")
                .register(registry);
    }

    /**
     * Registers the counters of every outcome a model can have, at 0, so rates and ratios over
     * them have data before the first such request (Prometheus' advice for known label sets).
     */
    public void expect(String model, List<String> protocols, List<String> outcomes) {
        for (String protocol : protocols) {
            for (String outcome : outcomes) {
                counter(model, protocol, outcome);
            }
        }
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
        counter(model, protocol, outcome).increment();
        timer(model, protocol).record(nanos, TimeUnit.NANOSECONDS);
    }

    // Plain lookups first, then nested maps rather than a concatenated key: once a meter exists,
    // recording allocates nothing (MetricsBenchmark).
    private Counter counter(String model, String protocol, String outcome) {
        Map<String, Map<String, Counter>> byProtocol = counters.get(model);
        Map<String, Counter> byOutcome = byProtocol == null ? null : byProtocol.get(protocol);
        Counter counter = byOutcome == null ? null : byOutcome.get(outcome);
        if (counter != null) {
            return counter;
        }
        return counters.computeIfAbsent(model, key -> new ConcurrentHashMap<>())
                .computeIfAbsent(protocol, key -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, key -> Counter.builder(MeterNames.REQUESTS)
                        .description("Inference requests by outcome")
                        .tag(MeterNames.TAG_MODEL, model)
                        .tag(MeterNames.TAG_PROTOCOL, protocol)
                        .tag(MeterNames.TAG_OUTCOME, outcome)
                        .register(registry));
    }

    private Timer timer(String model, String protocol) {
        Map<String, Timer> byProtocol = timers.get(model);
        Timer timer = byProtocol == null ? null : byProtocol.get(protocol);
        if (timer != null) {
            return timer;
        }
        return timers.computeIfAbsent(model, key -> new ConcurrentHashMap<>())
                .computeIfAbsent(protocol, key -> Timer.builder(MeterNames.REQUEST_DURATION)
                        .description("Time from receiving an inference request to sending its response")
                        .tag(MeterNames.TAG_MODEL, model)
                        .tag(MeterNames.TAG_PROTOCOL, protocol)
                        .serviceLevelObjectives(MeterNames.LATENCY_BUCKETS)
                        .register(registry));
    }

    public int inFlight() {
        return inFlight.get();
    }
}
