package dev.lanes.runtime.stats;

/**
 * Creates the stats sink for each model as it loads. The factory holds {@code load} strongly for
 * as long as it reports on it (gauges observe it).
 */
@FunctionalInterface
public interface StatsFactory {
    ModelStats forModel(String model, LoadView load);

    static StatsFactory disabled() {
        return (model, load) -> ModelStats.disabled();
    }
}
