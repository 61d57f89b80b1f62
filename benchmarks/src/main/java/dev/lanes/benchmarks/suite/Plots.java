package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.LoadResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The suite's two charts: throughput against concurrency, latency percentiles against offered load. */
final class Plots {
    static final String THROUGHPUT = "throughput-vs-concurrency.svg";
    static final String LATENCY = "latency-vs-load.svg";

    private Plots() {
    }

    static void write(Map<String, LoadResult> results, List<BenchmarkSuite.LatencyPoint> curve, Path out)
            throws IOException {
        new LineChart("MLP 256→1024→1024→10, REST binary: throughput against concurrency", "concurrency (log2)",
                "requests/s", true)
                .add("Lanes, batching", sweep(results, "lanes rest-binary mlp c="))
                .add("echo route", sweep(results, "echo rest-binary mlp c="))
                .write(out.resolve(THROUGHPUT));
        List<double[]> p50 = new ArrayList<>();
        List<double[]> p90 = new ArrayList<>();
        List<double[]> p99 = new ArrayList<>();
        List<double[]> bound = new ArrayList<>();
        for (BenchmarkSuite.LatencyPoint point : curve) {
            double x = point.result().offeredRate();
            p50.add(new double[]{x, point.result().latency().p50()});
            p90.add(new double[]{x, point.result().latency().p90()});
            p99.add(new double[]{x, point.result().latency().p99()});
            bound.add(new double[]{x, point.boundMillis()});
        }
        new LineChart("PaddleOCR cls, REST binary, open loop (Poisson): latency against offered load",
                "offered requests/s", "milliseconds", false)
                .add("p50", p50).add("p90", p90).add("p99", p99).add("delay + 2 × compute", bound)
                .write(out.resolve(LATENCY));
    }

    private static List<double[]> sweep(Map<String, LoadResult> results, String prefix) {
        List<double[]> points = new ArrayList<>();
        results.forEach((label, result) -> {
            if (label.startsWith(prefix)) {
                points.add(new double[]{result.concurrency(), result.throughput()});
            }
        });
        points.sort((a, b) -> Double.compare(a[0], b[0]));
        return points;
    }
}
