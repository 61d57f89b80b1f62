package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.CallerSource;
import dev.lanes.benchmarks.load.ClosedLoop;
import dev.lanes.benchmarks.load.Json;
import dev.lanes.benchmarks.load.LoadLoop;
import dev.lanes.benchmarks.load.LoadResult;
import dev.lanes.benchmarks.load.Options;
import dev.lanes.benchmarks.load.Protocol;
import dev.lanes.benchmarks.load.RawOrtRun;
import dev.lanes.benchmarks.load.ServerMetrics;
import dev.lanes.benchmarks.load.Target;
import dev.lanes.benchmarks.load.Workload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Runs the benchmark scenarios side by side in one run: raw ONNX Runtime in this process, the
 * echo route and a Lanes node each in their own JVM, driven by the load generator; then writes
 * results.json, SVG plots and the generated part of docs/benchmarks.md.
 *
 * <pre>bin/bench scenarios [--quick] [--scenarios 1,2,...] [--out DIR] [--docs FILE]</pre>
 *
 * <p>Longer than most classes (about 440 lines): it is the script of one run, the scenarios in
 * the order docs/benchmarks.md reports them and the goals judged from the results they left,
 * reading top to bottom like that page; loading, plotting and writing live in their own classes.
 */
public final class BenchmarkSuite {
    static final String USAGE = """
            Usage: bin/bench scenarios [options]
              --models DIR       PaddleOCR models from bin/fetch-models (default .models)
              --server-jar JAR   Lanes server jar (default server/target/lanes-server.jar)
              --out DIR          results.json, plots and logs (default benchmarks/results/latest)
              --docs FILE        markdown to update between its generated markers, plots beside it
                                 (default docs/benchmarks.md; none with --quick; "none" for none)
              --scenarios LIST   e.g. 3,4 (default: all, 1-8)
              --quick            short windows: proves the instruments work; figures mean little
              --shared-cores     run servers, raw ONNX Runtime and the generator on all CPUs (default with
                                 two CPUs or more: servers and raw ORT on the upper half, the generator
                                 on the lower half, by taskset)
            """;
    static final int[] MLP_SWEEP = {1, 4, 16, 64, 128};
    static final double[] LOAD_FRACTIONS = {0.1, 0.3, 0.5, 0.7, 0.9};
    /**
     * Scenario 8's "accepted p99 bounded": the bench models' queues (64 requests) drain in tens of
     * milliseconds at saturation, so an accepted p99 of seconds means requests wait in a queue
     * nobody bounds (the client's or the transport's).
     */
    static final double ACCEPTED_P99_LIMIT_MS = 1000;

    private final Path models;
    private final Path serverJar;
    private final Path out;
    private final Optional<Path> docs;
    private final Set<Integer> scenarios;
    private final Pace pace;
    private final String command;
    private final CpuSplit cpus;
    private final Map<String, LoadResult> results = new LinkedHashMap<>();
    private final List<Goal> goals = new ArrayList<>();
    private final List<LatencyPoint> latencyCurve = new ArrayList<>();
    private final Map<String, Double> batchSizes = new LinkedHashMap<>();

    /** Scenario 6: one open-loop level with the server's batch compute time over the same period. */
    record LatencyPoint(double fraction, LoadResult result, double computeMillisPerBatch, double meanBatch,
                        double boundMillis) {
    }

    BenchmarkSuite(Map<String, String> options, String command) throws IOException {
        this.models = Path.of(options.getOrDefault("models", ".models"));
        this.serverJar = Path.of(options.getOrDefault("server-jar", "server/target/lanes-server.jar"));
        this.out = Path.of(options.getOrDefault("out", "benchmarks/results/latest"));
        String docsFile = options.getOrDefault("docs", options.containsKey("quick") ? "none" : "docs/benchmarks.md");
        this.docs = docsFile.equals("none") ? Optional.empty() : Optional.of(Path.of(docsFile));
        this.scenarios = options.containsKey("scenarios")
                ? Arrays.stream(options.get("scenarios").split(",")).map(String::trim).map(Integer::parseInt)
                .collect(Collectors.toCollection(TreeSet::new))
                : new TreeSet<>(List.of(1, 2, 3, 4, 5, 6, 7, 8));
        this.pace = options.containsKey("quick") ? Pace.QUICK : Pace.FULL;
        this.command = command;
        this.cpus = CpuSplit.choose(options.containsKey("shared-cores"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args, "quick", "shared-cores");
        if (options.containsKey("help")) {
            System.out.print(USAGE);
            return;
        }
        new BenchmarkSuite(options, ("bin/bench scenarios " + String.join(" ", args)).trim()).run();
    }

    boolean wants(int... any) {
        return Arrays.stream(any).anyMatch(scenarios::contains);
    }

    void run() throws Exception {
        Files.createDirectories(out);
        System.err.println("bench: cores " + cpus.describe());
        try (CpuSplit.Pinning generator = cpus.pinThisProcess()) {
            measureAll();
        }
    }

    CpuSplit cpus() {
        return cpus;
    }

    private void measureAll() throws Exception {
        BenchRepository repository = new BenchRepository(Files.createDirectories(out.resolve("repository"))).mlp()
                .paddle(models);
        boolean cls = repository.model("cls").isPresent();
        boolean det = repository.model("det").isPresent();
        if (!cls || !det) {
            System.err.println("bench: PaddleOCR models missing under " + models
                    + " (bin/fetch-models); scenarios that need them are skipped");
        }

        // Physical limit first, alone on the machine.
        if (det && wants(1)) {
            raw(repository, "det", 2, true);
        }
        if (cls && wants(2, 5)) {
            raw(repository, "cls", 2, false);
            raw(repository, "cls", 1, false);
        }
        if (wants(3, 4)) {
            raw(repository, "mlp", 2, false);
        }

        // Transport limit: the same payloads through the echo route.
        if (wants(2, 3, 5)) {
            try (ServerProcess echo = ServerProcess.echo(out.resolve("echo.log"), cpus)) {
                if (wants(3)) {
                    Workload mlp = repository.model("mlp").orElseThrow().workload();
                    for (int concurrency : MLP_SWEEP) {
                        measure("echo rest-binary mlp c=" + concurrency, echo, Protocol.REST_BINARY, mlp,
                                pace.closed(concurrency));
                    }
                }
                for (Protocol protocol : List.of(Protocol.REST_BINARY, Protocol.GRPC)) {
                    if (cls && wants(5)) {
                        measure("echo " + protocol.label() + " cls c=1", echo, protocol, workload(repository, "cls"),
                                pace.closed(1));
                    }
                    if (cls && wants(2)) {
                        measure("echo " + protocol.label() + " cls c=16", echo, protocol, workload(repository, "cls"),
                                pace.closed(16));
                    }
                }
                if (det && wants(1)) {
                    measure("echo rest-binary det c=4", echo, Protocol.REST_BINARY, workload(repository, "det"),
                            pace.closedSlow(4));
                }
            }
        }

        try (ServerProcess lanes = ServerProcess.lanes(serverJar, repository.root(), out.resolve("lanes.log"),
                List.of("--set", "lanes.server.drain-grace=PT0S"), cpus)) {
            if (det && wants(1)) {
                measure("lanes rest-binary det c=4", lanes, Protocol.REST_BINARY, workload(repository, "det"),
                        pace.closedSlow(4));
            }
            if (cls && wants(2, 6, 7, 8)) {
                measure("lanes rest-binary cls c=16", lanes, Protocol.REST_BINARY, workload(repository, "cls"),
                        pace.closed(16));
            }
            if (cls && wants(2, 7)) {
                measure("lanes grpc cls c=16", lanes, Protocol.GRPC, workload(repository, "cls"), pace.closed(16));
            }
            if (cls && wants(5)) {
                measure("lanes rest-binary cls c=1", lanes, Protocol.REST_BINARY, workload(repository, "cls"),
                        pace.closed(1));
                measure("lanes grpc cls c=1", lanes, Protocol.GRPC, workload(repository, "cls"), pace.closed(1));
            }
            if (wants(3, 4, 7)) {
                for (int concurrency : MLP_SWEEP) {
                    if (wants(3) || concurrency == 64) {
                        measureWithBatches("lanes rest-binary mlp c=" + concurrency, lanes, Protocol.REST_BINARY,
                                workload(repository, "mlp"), pace.closed(concurrency));
                    }
                }
            }
            if (wants(4)) {
                measureWithBatches("lanes rest-binary mlp_nobatch c=64", lanes, Protocol.REST_BINARY,
                        workload(repository, "mlp_nobatch"), pace.closed(64));
            }
            if (wants(7)) {
                if (cls) {
                    measure("lanes rest-json cls c=16", lanes, Protocol.REST_JSON, workload(repository, "cls"),
                            pace.closed(16));
                }
                measure("lanes rest-json mlp c=64", lanes, Protocol.REST_JSON, workload(repository, "mlp"),
                        pace.closed(64));
                measure("lanes grpc mlp c=64", lanes, Protocol.GRPC, workload(repository, "mlp"), pace.closed(64));
            }
            if (cls && wants(6)) {
                latencyUnderLoad(lanes, workload(repository, "cls"));
            }
            if (cls && wants(8)) {
                double saturation = results.get("lanes rest-binary cls c=16").throughput();
                measure("lanes rest-binary cls overload 3x", lanes, Protocol.REST_BINARY, workload(repository, "cls"),
                        pace.open(3 * saturation));
                measure("lanes grpc cls overload 3x", lanes, Protocol.GRPC, workload(repository, "cls"),
                        pace.open(3 * saturation));
            }
        }
        judge();
        write();
    }

    private static Workload workload(BenchRepository repository, String model) {
        return repository.model(model).orElseThrow().workload();
    }

    /** Raw ONNX Runtime in a process of its own on the measured CPUs, where the node runs too. */
    private void raw(BenchRepository repository, String model, int callers, boolean slow) throws Exception {
        BenchRepository.BenchModel bench = repository.model(model).orElseThrow();
        ClosedLoop loop = slow ? pace.closedSlow(callers) : pace.closed(callers);
        String label = "raw-ort " + model + " c=" + callers;
        LoadResult result = RawOrtRun.run(ServerProcess.benchmarkJvm(cpus), new RawOrtRun.Request(
                bench.onnx().toAbsolutePath().toString(), bench.workload(), BenchRepository.INSTANCES,
                BenchRepository.INTRA_OP_THREADS, loop, label), out, out.resolve("raw-ort.log"));
        results.put(label, result);
        dev.lanes.benchmarks.load.LoadGenerator.report(result);
    }

    private LoadResult measure(String label, ServerProcess server, Protocol protocol, Workload workload,
                               LoadLoop loop) throws Exception {
        try (Target target = new Target("127.0.0.1", server.port(), server.grpcPort(), protocol, workload, 4)) {
            return record(label, loop, target, OptionalLong.of(server.pid()));
        }
    }

    /** Also keeps the mean batch size the server formed during the measurement. */
    private void measureWithBatches(String label, ServerProcess server, Protocol protocol, Workload workload,
                                    ClosedLoop loop) throws Exception {
        ServerMetrics before = ServerMetrics.scrape(server.baseUrl()).orElseThrow();
        measure(label, server, protocol, workload, loop);
        ServerMetrics after = ServerMetrics.scrape(server.baseUrl()).orElseThrow();
        String model = workload.model();
        batchSizes.put(label, (after.batchRows(model) - before.batchRows(model))
                / (after.batches(model) - before.batches(model)));
    }

    private LoadResult record(String label, LoadLoop loop, CallerSource source, OptionalLong pid) {
        LoadResult result = loop.run(source, label, pid, true);
        results.put(label, result);
        dev.lanes.benchmarks.load.LoadGenerator.report(result);
        return result;
    }

    /** Scenario 6: open-loop levels as fractions of the closed-loop saturation throughput. */
    private void latencyUnderLoad(ServerProcess lanes, Workload workload) throws Exception {
        double saturation = results.get("lanes rest-binary cls c=16").throughput();
        for (double fraction : LOAD_FRACTIONS) {
            ServerMetrics before = ServerMetrics.scrape(lanes.baseUrl()).orElseThrow();
            LoadResult result = measure(String.format("lanes rest-binary cls open %.0f%%", fraction * 100), lanes,
                    Protocol.REST_BINARY, workload, pace.open(fraction * saturation));
            ServerMetrics after = ServerMetrics.scrape(lanes.baseUrl()).orElseThrow();
            String model = workload.model();
            double batches = after.batches(model) - before.batches(model);
            double computeMillis = (after.computeSeconds(model) - before.computeSeconds(model)) * 1e3 / batches;
            double meanBatch = (after.batchRows(model) - before.batchRows(model)) / batches;
            double bound = BenchRepository.QUEUE_DELAY_MICROS / 1e3 + 2 * computeMillis;
            latencyCurve.add(new LatencyPoint(fraction, result, computeMillis, meanBatch, bound));
        }
    }

    private Optional<LoadResult> result(String label) {
        return Optional.ofNullable(results.get(label));
    }

    private void judge() {
        ratio(1, "det: Lanes REST binary c=4 ÷ raw ORT, 2 instances", "lanes rest-binary det c=4", "raw-ort det c=2",
                0.95, sharedCoreCeiling("raw-ort det c=2", "echo rest-binary det c=4"));
        ratio(2, "cls: Lanes REST binary c=16 ÷ raw ORT, 2 callers", "lanes rest-binary cls c=16", "raw-ort cls c=2",
                0.85, sharedCoreCeiling("raw-ort cls c=2", "echo rest-binary cls c=16"));
        ratio(2, "cls: Lanes gRPC c=16 ÷ raw ORT, 2 callers", "lanes grpc cls c=16", "raw-ort cls c=2", 0.85,
                sharedCoreCeiling("raw-ort cls c=2", "echo grpc cls c=16"));
        if (wants(3)) {
            Optional<LoadResult> lanes = best("lanes rest-binary mlp c=");
            Optional<LoadResult> echo = best("echo rest-binary mlp c=");
            if (lanes.isPresent() && echo.isPresent()) {
                double ratio = lanes.get().throughput() / echo.get().throughput();
                goals.add(new Goal(3, "MLP: Lanes at saturation ÷ echo route, same payload (REST binary)",
                        String.format("%.2f (%.0f at c=%d ÷ %.0f at c=%d req/s)", ratio, lanes.get().throughput(),
                                lanes.get().concurrency(), echo.get().throughput(), echo.get().concurrency()),
                        "≥ 0.5", ratio >= 0.5, ""));
            }
        }
        if (wants(4)) {
            ratio(4, "MLP c=64: dynamic batching on ÷ off", "lanes rest-binary mlp c=64",
                    "lanes rest-binary mlp_nobatch c=64", 5.0, batchingCeiling());
        }
        if (wants(5)) {
            p50Ratio("cls c=1: Lanes REST binary p50 ÷ raw ORT p50", "lanes rest-binary cls c=1",
                    "echo rest-binary cls c=1");
            p50Ratio("cls c=1: Lanes gRPC p50 ÷ raw ORT p50", "lanes grpc cls c=1", "echo grpc cls c=1");
        }
        if (wants(6)) {
            latencyCurve.stream().filter(p -> Math.abs(p.fraction() - 0.7) < 1e-9).findFirst().ifPresent(p ->
                    goals.add(new Goal(6, "cls p99 at 70 % of saturation ≤ max queue delay + 2 × batch compute",
                            String.format("p99 %.2f ms at %.0f req/s; bound %.2f ms (delay %.1f + 2 × %.2f)",
                                    p.result().latency().p99(), p.result().offeredRate(), p.boundMillis(),
                                    BenchRepository.QUEUE_DELAY_MICROS / 1e3, p.computeMillisPerBatch()),
                            "within bound", p.result().latency().p99() <= p.boundMillis()
                            && p.result().counts().errors() == 0, latencyCurve.isEmpty() ? "" : String.format(
                            "p99 is already %.2f ms at %.0f %% load (transport and scheduling on shared cores)",
                            latencyCurve.get(0).result().latency().p99(), latencyCurve.get(0).fraction() * 100))));
        }
        if (wants(7)) {
            for (String model : List.of("cls c=16", "mlp c=64")) {
                Optional<LoadResult> json = result("lanes rest-json " + model);
                Optional<LoadResult> binary = result("lanes rest-binary " + model);
                Optional<LoadResult> grpc = result("lanes grpc " + model);
                if (json.isPresent() && binary.isPresent() && grpc.isPresent()) {
                    goals.add(new Goal(7, model + ": REST JSON : REST binary : gRPC",
                            String.format("%.0f : %.0f : %.0f req/s (gRPC ÷ binary %.2f)", json.get().throughput(),
                                    binary.get().throughput(), grpc.get().throughput(),
                                    grpc.get().throughput() / binary.get().throughput()),
                            "report", null, ""));
                }
            }
        }
        if (wants(8)) {
            Optional<LoadResult> saturation = result("lanes rest-binary cls c=16");
            for (String label : List.of("lanes rest-binary cls overload 3x", "lanes grpc cls overload 3x")) {
                result(label).ifPresent(overload -> {
                    double goodput = overload.throughput() / saturation.orElseThrow().throughput();
                    goals.add(new Goal(8, label.replace("lanes ", "") + ": goodput ÷ saturation, refusals",
                            String.format("%.2f (%.0f of %.0f offered, saturation %.0f req/s); refused %d, errors %d,"
                                            + " accepted p99 %.1f ms", goodput, overload.throughput(),
                                    overload.offeredRate(), saturation.get().throughput(), overload.counts().rejected(),
                                    overload.counts().errors(), overload.latency().p99()),
                            "≥ 0.90, refusals 503/UNAVAILABLE, no errors, accepted p99 < 1 s",
                            goodput >= 0.9 && overload.counts().errors() == 0 && overload.counts().rejected() > 0
                                    && overload.latency().p99() < ACCEPTED_P99_LIMIT_MS,
                            generatorShare(saturation.get(), overload)));
                });
            }
        }
    }

    /** The generator shares the cores: what its own CPU use leaves to the server at overload. */
    private static String generatorShare(LoadResult saturation, LoadResult overload) {
        int cores = Runtime.getRuntime().availableProcessors();
        double left = (cores - overload.clientCpuCores()) / (cores - saturation.clientCpuCores());
        return String.format("the generator took %.2f of %d cores at this rate (%.2f at saturation), leaving the "
                + "server at most %.2f of its saturation CPU", overload.clientCpuCores(), cores,
                saturation.clientCpuCores(), left);
    }

    private Optional<LoadResult> best(String prefix) {
        return results.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue)
                .max((a, b) -> Double.compare(a.throughput(), b.throughput()));
    }

    /**
     * When inference and transport share the same cores, each request costs the cores its
     * inference plus its transport; with both rates measured alone, the most any server can
     * answer is the harmonic combination 1 / (1/raw + 1/echo). The echo also sends the payload
     * back, so this ceiling is a little low for small answers.
     */
    private String sharedCoreCeiling(String raw, String echo) {
        Optional<LoadResult> model = result(raw);
        Optional<LoadResult> transport = result(echo);
        if (model.isEmpty() || transport.isEmpty()) {
            return "";
        }
        double ceiling = 1 / (1 / model.get().throughput() + 1 / transport.get().throughput());
        return String.format("shared-core ceiling %.0f req/s = %.2f of raw (raw %.0f, echo of the same payload %.0f)",
                ceiling, ceiling / model.get().throughput(), model.get().throughput(), transport.get().throughput());
    }

    /**
     * Without batching every request costs the cores a batch-1 inference plus its transport; with
     * ideal batching, only the transport. So on ÷ off can reach at most (transport + inference)
     * ÷ transport = 1 + echo rate ÷ raw batch-1 rate on cores that carry both.
     */
    private String batchingCeiling() {
        Optional<LoadResult> rawBatch1 = result("raw-ort mlp c=2");
        Optional<LoadResult> echo = result("echo rest-binary mlp c=64");
        if (rawBatch1.isEmpty() || echo.isEmpty()) {
            return "";
        }
        return String.format("shared-core ceiling 1 + echo ÷ raw batch 1 = 1 + %.0f ÷ %.0f = %.1f×",
                echo.get().throughput(), rawBatch1.get().throughput(),
                1 + echo.get().throughput() / rawBatch1.get().throughput());
    }

    private void ratio(int scenario, String title, String numerator, String denominator, double goal, String note) {
        if (!wants(scenario)) {
            return;
        }
        Optional<LoadResult> top = result(numerator);
        Optional<LoadResult> bottom = result(denominator);
        if (top.isEmpty() || bottom.isEmpty()) {
            return;
        }
        double ratio = top.get().throughput() / bottom.get().throughput();
        goals.add(new Goal(scenario, title, String.format("%.2f (%.1f ÷ %.1f req/s)", ratio, top.get().throughput(),
                bottom.get().throughput()), (goal >= 1 ? "≥ " + goal + "×" : "≥ " + goal), ratio >= goal, note));
    }

    private void p50Ratio(String title, String label, String echoLabel) {
        Optional<LoadResult> lanes = result(label);
        Optional<LoadResult> raw = result("raw-ort cls c=1");
        if (lanes.isEmpty() || raw.isEmpty()) {
            return;
        }
        double ratio = lanes.get().latency().p50() / raw.get().latency().p50();
        String note = result(echoLabel).map(echo -> String.format(
                "the echo route alone takes %.3f ms p50 for this payload (raw + echo = %.2f × raw)",
                echo.latency().p50(), (raw.get().latency().p50() + echo.latency().p50()) / raw.get().latency().p50()))
                .orElse("");
        goals.add(new Goal(5, title, String.format("%.2f (%.3f ÷ %.3f ms)", ratio, lanes.get().latency().p50(),
                raw.get().latency().p50()), "≤ 1.3", ratio <= 1.3, note));
    }

    private void write() throws IOException {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("command", command);
        document.put("environment", Environment.describe(ServerProcess.JVM_FLAGS, cpus));
        document.put("goals", goals.stream().map(g -> {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("scenario", g.scenario());
            map.put("title", g.title());
            map.put("measured", g.measured());
            map.put("target", g.target());
            map.put("verdict", g.verdict());
            return map;
        }).toList());
        document.put("mean_batch_size", batchSizes);
        document.put("results", results.values().stream().map(LoadResult::toMap).toList());
        Files.writeString(out.resolve("results.json"), Json.write(document) + "\n");
        Plots.write(results, latencyCurve, out);
        String markdown = Report.markdown(command, Environment.describe(ServerProcess.JVM_FLAGS, cpus), goals, results,
                latencyCurve, batchSizes, out);
        Files.writeString(out.resolve("report.md"), markdown);
        if (docs.isPresent()) {
            Report.splice(docs.get(), markdown);
            Report.copyPlots(out, docs.get());
        }
        System.out.println("bench: wrote " + out.resolve("results.json") + ", " + out.resolve("report.md")
                + docs.map(d -> " and " + d).orElse(""));
        goals.forEach(g -> System.out.printf("  %d. %-70s %-50s %s%n", g.scenario(), g.title(), g.measured(),
                g.verdict()));
    }

    List<Goal> goals() {
        return goals;
    }
}
