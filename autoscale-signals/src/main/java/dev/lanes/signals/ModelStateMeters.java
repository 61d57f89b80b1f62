package dev.lanes.signals;

import dev.lanes.runtime.repository.IndexEntry;
import dev.lanes.runtime.repository.ModelState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code inference_model_state{model,version,state}}: one row per state for every version of the
 * models a node serves, 1 for the state it is in and 0 for the others (as kube-state-metrics
 * publishes a pod's phase), so "not ready" is an alert on one series, not on a missing one.
 * Rows read the current state when scraped, and {@link #update} registers only rows that are new
 * and removes those gone: a row that stays is never re-registered, so no scrape misses it (a
 * missing sample would go stale in Prometheus and restart an alert's {@code for} period).
 */
public final class ModelStateMeters {
    private final MultiGauge states;
    /** model, version → its state now. */
    private final Map<List<String>, ModelState> current = new ConcurrentHashMap<>();

    public ModelStateMeters(MeterRegistry registry) {
        this.states = MultiGauge.builder(MeterNames.MODEL_STATE)
                .description("1 for the state each loaded model version is in, 0 for the others")
                .register(registry);
    }

    /** @param entries the index rows of the models the node serves (not those it never loaded) */
    public synchronized void update(List<IndexEntry> entries) {
        Map<List<String>, ModelState> now = new ConcurrentHashMap<>();
        for (IndexEntry entry : entries) {
            now.put(List.of(entry.name(), entry.version()), entry.state());
        }
        current.putAll(now);
        current.keySet().retainAll(now.keySet());
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (List<String> version : now.keySet()) {
            for (ModelState state : ModelState.values()) {
                Tags tags = Tags.of(MeterNames.TAG_MODEL, version.get(0), MeterNames.TAG_VERSION, version.get(1),
                        MeterNames.TAG_STATE, state.name());
                // observes this object (gauges hold it weakly; the server holds it for its life)
                rows.add(MultiGauge.Row.of(tags, this, meters -> meters.current.get(version) == state ? 1 : 0));
            }
        }
        states.register(rows, false);
    }
}
