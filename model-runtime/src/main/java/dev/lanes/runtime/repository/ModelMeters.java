package dev.lanes.runtime.repository;

import dev.lanes.runtime.stats.LoadView;
import dev.lanes.runtime.stats.ModelStats;
import dev.lanes.runtime.stats.StatsFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One stats sink per model name, kept across reloads so meters register once per name, and the
 * load gauges' view of whichever {@link Model} serves under that name now.
 */
final class ModelMeters {
    private final StatsFactory factory;
    private final Map<String, Sink> sinks = new ConcurrentHashMap<>();

    ModelMeters(StatsFactory factory) {
        this.factory = factory;
    }

    /** The model's sink, created (and its meters registered) on first use. */
    ModelStats statsFor(String name) {
        return sink(name).stats;
    }

    /**
     * Points the model's load gauges at the model now serving under its name. A model that never
     * got as far as its versions has no meters, and gets none here.
     */
    void serving(Model model) {
        Sink sink = sinks.get(model.name());
        if (sink != null) {
            sink.view.target = model;
        }
    }

    private Sink sink(String name) {
        return sinks.computeIfAbsent(name, ignored -> {
            ServingModelView view = new ServingModelView();
            return new Sink(view, factory.forModel(name, view));
        });
    }

    private record Sink(ServingModelView view, ModelStats stats) {
    }

    /** Lets meters, registered before any model loads, observe the model serving now. */
    private static final class ServingModelView implements LoadView {
        private volatile Model target;

        @Override
        public int queueLength() {
            Model model = target;
            return model == null ? 0 : model.queueLength();
        }

        @Override
        public int executingRequests() {
            Model model = target;
            return model == null ? 0 : model.executingRequests();
        }
    }
}
