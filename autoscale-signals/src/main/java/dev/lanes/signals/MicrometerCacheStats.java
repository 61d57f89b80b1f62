package dev.lanes.signals;

import dev.lanes.cache.CacheStats;
import dev.lanes.cache.LocalPredictionCache;
import dev.lanes.cache.Lookup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Binds the prediction cache's stats to Micrometer. Thread-safe. */
public final class MicrometerCacheStats implements CacheStats {
    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Timer lookups;
    private final Timer stores;

    public MicrometerCacheStats(MeterRegistry registry) {
        this.registry = registry;
        this.lookups = Timer.builder(MeterNames.CACHE_LOOKUP_DURATION)
                .description("Time one prediction-cache lookup took")
                .serviceLevelObjectives(MeterNames.LATENCY_BUCKETS)
                .register(registry);
        this.stores = Timer.builder(MeterNames.CACHE_STORE_DURATION)
                .description("Time encoding and storing one prediction took")
                .serviceLevelObjectives(MeterNames.LATENCY_BUCKETS)
                .register(registry);
    }

    /** Publishes the size of the in-process cache; the registry observes {@code local}, held by the server. */
    public void bindLocal(LocalPredictionCache local) {
        Gauge.builder(MeterNames.CACHE_LOCAL_ENTRIES, local, LocalPredictionCache::entries)
                .description("Entries in the in-process prediction cache")
                .register(registry);
        Gauge.builder(MeterNames.CACHE_LOCAL_BYTES, local, LocalPredictionCache::bytes)
                .description("Bytes held by the in-process prediction cache")
                .baseUnit("bytes")
                .register(registry);
    }

    /** Registers a model's hit, miss and error counters at 0, so ratios over them have data at once. */
    public void expect(String model) {
        for (Lookup.Result result : Lookup.Result.values()) {
            counter(model, result);
        }
    }

    @Override
    public void lookup(String model, Lookup.Result result, long nanos) {
        counter(model, result).increment();
        lookups.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Counter counter(String model, Lookup.Result result) {
        String outcome = result.name().toLowerCase(Locale.ROOT);
        return requests.computeIfAbsent(model + '\u0000' + outcome, key -> Counter.builder(MeterNames.CACHE_REQUESTS)
                .description("Prediction-cache lookups by result")
                .tag(MeterNames.TAG_MODEL, model)
                .tag(MeterNames.TAG_RESULT, outcome)
                .register(registry));
    }

    @Override
    public void store(String model, long nanos) {
        stores.record(nanos, TimeUnit.NANOSECONDS);
    }
}
