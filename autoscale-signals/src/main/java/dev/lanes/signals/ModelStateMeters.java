package dev.lanes.signals;

import dev.lanes.runtime.repository.IndexEntry;
import dev.lanes.runtime.repository.ModelState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code inference_model_state{model,version,state}}: one row per state for every version of the
 * models a node serves, 1 for the state it is in and 0 for the others (as kube-state-metrics
 * publishes a pod's phase), so "not ready" is an alert on one series, not on a missing one.
 * Thread-safe; {@link #update} replaces every row.
 */
public final class ModelStateMeters {
    private final MultiGauge states;

    public ModelStateMeters(MeterRegistry registry) {
        this.states = MultiGauge.builder(MeterNames.MODEL_STATE)
                .description("1 for the state each loaded model version is in, 0 for the others")
                .register(registry);
    }

    /** @param entries the index rows of the models the node serves (not those it never loaded) */
    public synchronized void update(List<IndexEntry> entries) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (IndexEntry entry : entries) {
            for (ModelState state : ModelState.values()) {
                Tags tags = Tags.of(MeterNames.TAG_MODEL, entry.name(), MeterNames.TAG_VERSION, entry.version(),
                        MeterNames.TAG_STATE, state.name());
                rows.add(MultiGauge.Row.of(tags, entry.state() == state ? 1 : 0));
            }
        }
        states.register(rows, true);
    }
}
