package dev.lanes.signals;

import dev.lanes.runtime.stats.ExecutedBatch;
import dev.lanes.runtime.stats.LoadView;
import dev.lanes.runtime.stats.ModelStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What one request costs in meters: the protocol layer's outcome counter and latency histogram,
 * and the runtime's queue-wait and batch records, on the Prometheus registry Lanes publishes.
 * Run it with {@code bin/bench jmh autoscale-signals}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsBenchmark {
    private LanesRegistry registry;
    private RequestMeters requests;
    private ModelStats model;
    /** Made once: the batcher makes one per batch, which is not the meters' cost. */
    private final ExecutedBatch executed = new ExecutedBatch(8, 8, 0, 1_000_000, 0);

    @Setup
    public void setUp() {
        registry = new LanesRegistry();
        requests = new RequestMeters(registry.registry());
        model = new MicrometerStatsFactory(registry.registry()).forModel("mlp", new LoadView() {
            @Override
            public int queueLength() {
                return 0;
            }

            @Override
            public int executingRequests() {
                return 0;
            }
        });
    }

    @TearDown
    public void tearDown() {
        registry.close();
    }

    @Benchmark
    public void request() {
        requests.finished("mlp", "rest", "success", 1_250_000);
    }

    @Benchmark
    public void batch() {
        model.queueWait(250_000);
        model.batchExecuted(executed);
    }
}
