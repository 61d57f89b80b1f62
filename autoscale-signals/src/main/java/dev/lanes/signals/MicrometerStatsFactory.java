package dev.lanes.signals;

import dev.lanes.runtime.stats.ExecutedBatch;
import dev.lanes.runtime.stats.LoadView;
import dev.lanes.runtime.stats.ModelStats;
import dev.lanes.runtime.stats.StatsFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Binds the runtime's per-model stats to Micrometer meters tagged with the model name. Holds every
 * {@link LoadView} strongly, since Micrometer gauges only keep weak references.
 */
public final class MicrometerStatsFactory implements StatsFactory {
    private final MeterRegistry registry;
    private final List<LoadView> observed = new CopyOnWriteArrayList<>();

    public MicrometerStatsFactory(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ModelStats forModel(String model, LoadView load) {
        observed.add(load);
        Gauge.builder(MeterNames.QUEUE_LENGTH, load, LoadView::queueLength)
                .description("Inference requests admitted and not yet executing")
                .tag(MeterNames.TAG_MODEL, model)
                .register(registry);
        Gauge.builder(MeterNames.EXECUTING, load, LoadView::executingRequests)
                .description("Inference requests inside batches that are running")
                .tag(MeterNames.TAG_MODEL, model)
                .register(registry);
        return new MicrometerModelStats(
                latency(MeterNames.QUEUE_DURATION, "Time from admission until the request's batch started", model),
                latency(MeterNames.COMPUTE_DURATION, "Time one batch spent in assembly, ONNX Runtime and slicing", model),
                DistributionSummary.builder(MeterNames.BATCH_SIZE)
                        .description("Rows per executed batch")
                        .tag(MeterNames.TAG_MODEL, model)
                        .serviceLevelObjectives(MeterNames.BATCH_SIZE_BUCKETS)
                        .register(registry),
                Counter.builder(MeterNames.BATCHES)
                        .description("Executed batches")
                        .tag(MeterNames.TAG_MODEL, model)
                        .register(registry),
                Counter.builder(MeterNames.QUEUE_TIMEOUTS)
                        .description("Requests whose deadline passed while queued")
                        .tag(MeterNames.TAG_MODEL, model)
                        .register(registry),
                Counter.builder(MeterNames.COMPUTE_CPU)
                        .description("CPU time the instance threads used running batches")
                        .tag(MeterNames.TAG_MODEL, model)
                        .baseUnit("seconds")
                        .register(registry));
    }

    private Timer latency(String name, String description, String model) {
        return Timer.builder(name)
                .description(description)
                .tag(MeterNames.TAG_MODEL, model)
                .serviceLevelObjectives(MeterNames.LATENCY_BUCKETS)
                .register(registry);
    }

    private record MicrometerModelStats(Timer queue, Timer compute, DistributionSummary batchSize, Counter batches,
                                        Counter timeouts, Counter computeCpu) implements ModelStats {
        @Override
        public void queueWait(long nanos) {
            queue.record(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void batchExecuted(ExecutedBatch batch) {
            compute.record(batch.nanos(), TimeUnit.NANOSECONDS);
            batchSize.record(batch.rows());
            batches.increment();
            if (batch.cpuNanos() >= 0) {
                computeCpu.increment(batch.cpuNanos() / 1e9);
            }
        }

        @Override
        public void requestExpired() {
            timeouts.increment();
        }
    }
}
