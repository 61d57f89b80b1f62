package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.CpuSplit;
import dev.lanes.benchmarks.echo.EchoServer;
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
              --scenarios LIST   e.g. 3,4 (default: all, 1-9)
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
    /**
     * Scenario 3: the batch size raw ONNX Runtime runs the MLP at for the batched ceiling. Lanes
     * forms 20-30 rows at c=64 here; raw rows cost less at 32 than at 20, so the ceiling is a
     * little high for Lanes (the goal's note gives the batch Lanes formed).
     */
    static final int MLP_RAW_BATCH = 32;
    /**
     * Closed-loop callers of the settle before overload: eight times cls's queue, so most requests
     * are refused, as at three times saturation.
     */
    private static final int REFUSING_CALLERS = 8 * BenchRepository.CLS_QUEUE_SIZE;
    /** Scenario 9: the CPU quota of the small replica whose cold start is measured (bin/scale-sim's). */
    static final double SMALL_REPLICA_CPUS = 0.25;

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
    private final List<ColdStart.Start> coldStarts = new ArrayList<>();
    /** Seconds of load each server's JIT took to settle, per protocol and model; negative: not by the limit. */
    private final Map<String, Double> jitSettleSeconds = new LinkedHashMap<>();
    private long rawIdleRssBytes = -1;

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
                : new TreeSet<>(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
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
                .paddle(models).clsWithoutBatching(models);
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
            rawBatch(repository, "mlp", 2, MLP_RAW_BATCH);
        }

        // Transport limit: the same payloads through the echo route.
        if (wants(1, 2, 3, 4, 5)) {
            try (ServerProcess echo = ServerProcess.echo(out.resolve("echo.log"), cpus)) {
                List<Workload> payloads = new ArrayList<>();
                if (wants(3, 4)) {
                    payloads.add(workload(repository, "mlp"));
                }
                if (cls && wants(2, 5)) {
                    payloads.add(workload(repository, "cls"));
                    payloads.add(workload(repository, "cls").named(EchoServer.smallAnswer("cls")));
                }
                settleJit("echo", echo, List.of(Protocol.REST_BINARY, Protocol.GRPC), payloads);
                if (wants(3, 4)) {
                    Workload mlp = repository.model("mlp").orElseThrow().workload();
                    for (int concurrency : MLP_SWEEP) {
                        if (wants(3) || concurrency == 64) {
                            measure("echo rest-binary mlp c=" + concurrency, echo, Protocol.REST_BINARY, mlp,
                                    pace.closed(concurrency));
                        }
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
                    // the transport floor: the same request, answered with a few bytes as cls answers
                    Workload floor = cls ? workload(repository, "cls").named(EchoServer.smallAnswer("cls")) : null;
                    if (cls && wants(5)) {
                        measure("floor " + protocol.label() + " cls c=1", echo, protocol, floor, pace.closed(1));
                    }
                    if (cls && wants(2)) {
                        measure("floor " + protocol.label() + " cls c=16", echo, protocol, floor, pace.closed(16));
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
            List<Workload> served = new ArrayList<>();
            for (String model : List.of("cls", "cls_nobatch", "mlp", "mlp_nobatch")) {
                repository.model(model).ifPresent(m -> served.add(m.workload()));
            }
            settleJit("lanes", lanes, List.of(Protocol.REST_BINARY, Protocol.GRPC, Protocol.REST_JSON), served);
            if (det && wants(1)) {
                measure("lanes rest-binary det c=4", lanes, Protocol.REST_BINARY, workload(repository, "det"),
                        pace.closedSlow(4));
            }
            if (cls && wants(2, 6, 7, 8)) {
                measureWithBatches("lanes rest-binary cls c=16", lanes, Protocol.REST_BINARY,
                        workload(repository, "cls"), pace.closed(16));
            }
            if (cls && wants(2, 7)) {
                measureWithBatches("lanes grpc cls c=16", lanes, Protocol.GRPC, workload(repository, "cls"),
                        pace.closed(16));
            }
            if (cls && wants(2)) {
                for (Protocol protocol : List.of(Protocol.REST_BINARY, Protocol.GRPC)) {
                    measure("lanes " + protocol.label() + " cls_nobatch c=16", lanes, protocol,
                            workload(repository, "cls_nobatch"), pace.closed(16));
                }
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
                settleJitRefusing("lanes", lanes, Protocol.REST_BINARY, workload(repository, "cls"));
                measure("lanes rest-binary cls overload 3x", lanes, Protocol.REST_BINARY, workload(repository, "cls"),
                        pace.open(3 * saturation));
                settleJitRefusing("lanes", lanes, Protocol.GRPC, workload(repository, "cls"));
                measure("lanes grpc cls overload 3x", lanes, Protocol.GRPC, workload(repository, "cls"),
                        pace.open(3 * saturation));
            }
        }
        if (cls && det && wants(9)) {
            coldStarts(models);
        }
        judge();
        write();
    }

    /**
     * Scenario 9: a replica holding cls and det started on one CPU and under a quota of
     * {@link #SMALL_REPLICA_CPUS}, each without and with the class cache a training run writes
     * and ONNX Runtime's natives unpacked
     * (as the image build does); and a raw ONNX Runtime process holding the same sessions, idle.
     */
    private void coldStarts(Path modelsDir) throws Exception {
        BenchRepository paddle = new BenchRepository(Files.createDirectories(out.resolve("repository-paddle")))
                .paddle(modelsDir);
        ColdStart starts = new ColdStart(serverJar, paddle.root(), out);
        List<String> oneCpu = cpus.oneCpuPrefix();
        Path cache = starts.trainAotCache(oneCpu, List.of(workload(paddle, "cls"), workload(paddle, "det")));
        // as the image starts: the class cache, and ONNX Runtime's natives unpacked at build time
        List<String> withCache = new ArrayList<>(ColdStart.useCacheFlags(cache));
        withCache.add(ColdStart.nativePathFlag(starts.unpackOrtNatives()));
        coldStarts.add(starts.measure("1 CPU", oneCpu, List.of()));
        coldStarts.add(starts.measure("1 CPU, class cache", oneCpu, withCache));
        Optional<CpuQuota> quota = CpuQuota.create(SMALL_REPLICA_CPUS);
        if (quota.isPresent()) {
            try (CpuQuota small = quota.get()) {
                List<String> prefix = new ArrayList<>(small.prefix());
                prefix.addAll(oneCpu);
                coldStarts.add(starts.measure(SMALL_REPLICA_CPUS + " CPU", prefix, List.of()));
                coldStarts.add(starts.measure(SMALL_REPLICA_CPUS + " CPU, class cache", prefix, withCache));
            }
        }
        coldStarts.forEach(start -> System.err.printf("bench: cold start %s: ready after %.0f ms, %.0f ms of it "
                        + "loading models, JIT %.0f ms of CPU; idle RSS %d MiB%n", start.label(), start.readyMillis(),
                start.modelMillis(), start.jitMillisAtReady(), start.idleRssBytes() >> 20));
        List<RawOrtRun.Request> held = new ArrayList<>();
        for (String model : List.of("cls", "det")) {
            BenchRepository.BenchModel bench = paddle.model(model).orElseThrow();
            held.add(new RawOrtRun.Request(bench.onnx().toAbsolutePath().toString(), bench.workload(),
                    BenchRepository.INSTANCES, BenchRepository.INTRA_OP_THREADS, pace.closed(1), "idle " + model));
        }
        List<String> rawJvm = new ArrayList<>(oneCpu);
        rawJvm.addAll(ServerProcess.benchmarkJvm(CpuSplit.SHARED));
        rawIdleRssBytes = RawOrtRun.idleResidentBytes(rawJvm, held, out, out.resolve("raw-ort.log"),
                ColdStart.IDLE_SETTLE);
        System.err.printf("bench: raw ONNX Runtime holding cls and det idle: RSS %d MiB%n", rawIdleRssBytes >> 20);
    }

    private static Workload workload(BenchRepository repository, String model) {
        return repository.model(model).orElseThrow().workload();
    }

    /**
     * Loads {@code server} with every protocol and workload it is measured with until its JIT has
     * settled ({@link JitSettle}), so each measurement sees the steady state and not the
     * compilers sharing its core; a server's first measurement otherwise pays for the JIT.
     */
    private void settleJit(String name, ServerProcess server, List<Protocol> protocols, List<Workload> workloads)
            throws Exception {
        if (pace.jitSettleLimit().isZero()) {
            return;
        }
        for (Protocol protocol : protocols) {
            for (Workload workload : workloads) {
                settle(name + " " + protocol.label() + " " + workload.model(), server, protocol, workload, 8);
            }
        }
    }

    /**
     * Settles the JIT of the paths overload takes (refusing, draining refused bodies) with more
     * callers than the model's queue holds: the closed-loop settle never refuses, and the first
     * overload run spent 14-17 % of the node's CPU compiling them.
     */
    private void settleJitRefusing(String name, ServerProcess server, Protocol protocol, Workload workload)
            throws Exception {
        if (!pace.jitSettleLimit().isZero()) {
            settle(name + " " + protocol.label() + " " + workload.model() + " refusing", server, protocol, workload,
                    REFUSING_CALLERS);
        }
    }

    /** One {@link JitSettle#warm} of {@code server} with {@code callers}, recorded under {@code label}. */
    private void settle(String label, ServerProcess server, Protocol protocol, Workload workload, int callers)
            throws Exception {
        try (Target target = new Target("127.0.0.1", server.port(), server.grpcPort(), protocol, workload, 4)) {
            double seconds = JitSettle.warm(target, server.pid(), callers, pace.jitSettleLimit());
            jitSettleSeconds.put(label, seconds);
            System.err.printf("bench: %s: JIT %s after %.0f s of load%n", label,
                    seconds < 0 ? "still compiling" : "settled", Math.abs(seconds));
        }
    }

    /** Raw ONNX Runtime in a process of its own on the measured CPUs, where the node runs too. */
    private void raw(BenchRepository repository, String model, int callers, boolean slow) throws Exception {
        BenchRepository.BenchModel bench = repository.model(model).orElseThrow();
        runRaw("raw-ort " + model + " c=" + callers, bench, bench.workload(),
                slow ? pace.closedSlow(callers) : pace.closed(callers));
    }

    /** The same, each call running {@code rows} requests' rows as one batch. */
    private void rawBatch(BenchRepository repository, String model, int callers, int rows) throws Exception {
        BenchRepository.BenchModel bench = repository.model(model).orElseThrow();
        runRaw("raw-ort " + model + " batch=" + rows + " c=" + callers, bench, bench.workload().batchOf(rows),
                pace.closed(callers));
    }

    private void runRaw(String label, BenchRepository.BenchModel bench, Workload workload, ClosedLoop loop)
            throws Exception {
        LoadResult result = RawOrtRun.run(ServerProcess.benchmarkJvm(cpus), new RawOrtRun.Request(
                bench.onnx().toAbsolutePath().toString(), workload, BenchRepository.INSTANCES,
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
        ratio(1, "det: Lanes REST binary c=4 ÷ raw ORT, same CPUs", "lanes rest-binary det c=4", "raw-ort det c=2",
                0.95, ceilings("raw-ort det c=2", "echo rest-binary det c=4", null));
        ratio(2, "cls without batching: Lanes REST binary c=16 ÷ raw ORT, same CPUs",
                "lanes rest-binary cls_nobatch c=16", "raw-ort cls c=2", 0.85,
                ceilings("raw-ort cls c=2", "echo rest-binary cls c=16", "floor rest-binary cls c=16"));
        ratio(2, "cls without batching: Lanes gRPC c=16 ÷ raw ORT, same CPUs", "lanes grpc cls_nobatch c=16",
                "raw-ort cls c=2", 0.85, ceilings("raw-ort cls c=2", "echo grpc cls c=16", "floor grpc cls c=16"));
        for (Protocol protocol : wants(2) ? List.of(Protocol.REST_BINARY, Protocol.GRPC) : List.<Protocol>of()) {
            String label = "lanes " + protocol.label() + " cls c=16";
            result(label).ifPresent(batched -> result("raw-ort cls c=2").ifPresent(raw -> goals.add(new Goal(2,
                    "cls batched (max_batch_size 4): Lanes " + protocol.label() + " c=16 ÷ raw ORT batch 1",
                    String.format("%.2f (%.1f ÷ %.1f req/s)", batched.throughput() / raw.throughput(),
                            batched.throughput(), raw.throughput()), "report", null,
                    String.format("mean batch %.2f rows: batching recovers the transport's share",
                            batchSizes.getOrDefault(label, Double.NaN))))));
        }
        if (wants(3)) {
            mlpBatchedGoals();
        }
        if (wants(4)) {
            ratio(4, "MLP c=64: dynamic batching on ÷ off", "lanes rest-binary mlp c=64",
                    "lanes rest-binary mlp_nobatch c=64", 5.0, batchingCeiling());
            Optional<LoadResult> lanes = result("lanes rest-binary mlp_nobatch c=64");
            Optional<LoadResult> echo = result("echo rest-binary mlp c=64");
            Optional<LoadResult> raw = result("raw-ort mlp c=2");
            if (lanes.isPresent() && echo.isPresent() && raw.isPresent()) {
                double ceiling = 1 / (1 / echo.get().throughput() + 1 / raw.get().throughput());
                double ratio = lanes.get().throughput() / ceiling;
                goals.add(new Goal(4, "MLP unbatched c=64 ÷ its ceiling 1 / (echo per request + raw batch 1)",
                        String.format("%.2f (%.0f ÷ %.0f req/s)", ratio, lanes.get().throughput(), ceiling), "≥ 0.95",
                        ratio >= 0.95, String.format("echo %.1f µs per request, raw batch 1 %.1f µs",
                        1e6 / echo.get().throughput(), 1e6 / raw.get().throughput())));
            }
        }
        if (wants(5)) {
            p50Ratio("cls c=1: Lanes REST binary p50 ÷ (raw ORT + echo p50)", "lanes rest-binary cls c=1",
                    "echo rest-binary cls c=1", "floor rest-binary cls c=1");
            p50Ratio("cls c=1: Lanes gRPC p50 ÷ (raw ORT + echo p50)", "lanes grpc cls c=1", "echo grpc cls c=1",
                    "floor grpc cls c=1");
        }
        Optional<LatencyPoint> at70 = latencyCurve.stream().filter(p -> Math.abs(p.fraction() - 0.7) < 1e-9)
                .findFirst();
        if (wants(6)) {
            at70.ifPresent(p ->
                    goals.add(new Goal(6, "cls p99 at 70 % of saturation ≤ max queue delay + 2 × batch compute",
                            String.format("p99 %.2f ms at %.0f req/s (%d refused); bound %.2f ms (delay %.1f + 2 × %.2f)",
                                    p.result().latency().p99(), p.result().offeredRate(),
                                    p.result().counts().rejected(), p.boundMillis(),
                                    BenchRepository.QUEUE_DELAY_MICROS / 1e3, p.computeMillisPerBatch()),
                            "within bound", p.result().latency().p99() <= p.boundMillis()
                            && p.result().counts().errors() == 0, latencyCurve.isEmpty() ? "" : String.format(
                            "p99 is already %.2f ms at %.0f %% load (transport and scheduling)",
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
            overloadGoals(at70);
        }
        if (wants(9)) {
            coldStartGoals();
        }
    }

    /**
     * Scenario 3 against the ceiling of one core that carries both: each request costs the echo
     * route's transport plus raw ORT's time per row at the batch size Lanes forms; and the node's
     * CPU per request beyond those two, from each process's own CPU time.
     */
    private void mlpBatchedGoals() {
        Optional<LoadResult> lanes = result("lanes rest-binary mlp c=64");
        Optional<LoadResult> echo = result("echo rest-binary mlp c=64");
        Optional<LoadResult> raw = result("raw-ort mlp batch=" + MLP_RAW_BATCH + " c=2");
        if (lanes.isEmpty() || echo.isEmpty() || raw.isEmpty()) {
            return;
        }
        double rawRowMicros = 1e6 / (raw.get().throughput() * MLP_RAW_BATCH);
        double echoMicros = 1e6 / echo.get().throughput();
        double ceiling = 1e6 / (echoMicros + rawRowMicros);
        double ratio = lanes.get().throughput() / ceiling;
        double formed = batchSizes.getOrDefault("lanes rest-binary mlp c=64", Double.NaN);
        goals.add(new Goal(3, "MLP batched c=64 ÷ its ceiling 1 / (echo per request + raw per row at batch "
                + MLP_RAW_BATCH + ")", String.format("%.2f (%.0f ÷ %.0f req/s)", ratio, lanes.get().throughput(),
                ceiling), "≥ 0.95", ratio >= 0.95, String.format("echo %.1f µs per request, raw %.1f µs per row; "
                + "Lanes formed batches of %.1f", echoMicros, rawRowMicros, formed)));
        double lanesCpu = 1e6 * lanes.get().serverCpuCores() / lanes.get().throughput();
        double rawCpu = 1e6 * raw.get().serverCpuCores() / (raw.get().throughput() * MLP_RAW_BATCH);
        double echoCpu = 1e6 * echo.get().serverCpuCores() / echo.get().throughput();
        double beyond = lanesCpu - rawCpu - echoCpu;
        goals.add(new Goal(3, "MLP batched: node CPU per request beyond raw ORT and the echo route",
                String.format("%.1f µs (%.1f − %.1f raw − %.1f echo)", beyond, lanesCpu, rawCpu, echoCpu), "≤ 5 µs",
                beyond <= 5, "each process's CPU time over its measurement ÷ what it answered"));
    }

    /**
     * Scenario 8: at three times the saturation rate, goodput holds and what is accepted is
     * answered as fast as at 70 % load (scenario 6), or under a second where that did not run.
     */
    private void overloadGoals(Optional<LatencyPoint> at70) {
        Optional<LoadResult> saturation = result("lanes rest-binary cls c=16");
        double p99Limit = at70.map(p -> 2 * p.result().latency().p99()).orElse(ACCEPTED_P99_LIMIT_MS);
        String limitText = at70.isPresent() ? String.format("accepted p99 ≤ 2 × p99 at 70 %% load (%.1f ms)", p99Limit)
                : "accepted p99 < 1 s";
        for (String label : List.of("lanes rest-binary cls overload 3x", "lanes grpc cls overload 3x")) {
            result(label).ifPresent(overload -> {
                double goodput = overload.throughput() / saturation.orElseThrow().throughput();
                goals.add(new Goal(8, label.replace("lanes ", "") + ": goodput ÷ saturation, refusals",
                        String.format("%.2f (%.0f of %.0f offered, saturation %.0f req/s); refused %d, errors %d,"
                                        + " accepted p99 %.1f ms", goodput, overload.throughput(),
                                overload.offeredRate(), saturation.get().throughput(), overload.counts().rejected(),
                                overload.counts().errors(), overload.latency().p99()),
                        "≥ 0.90, refusals 503/UNAVAILABLE, no errors, " + limitText,
                        goodput >= 0.9 && overload.counts().errors() == 0 && overload.counts().rejected() > 0
                                && overload.latency().p99() <= p99Limit,
                        generatorShare(saturation.get(), overload)));
            });
        }
    }

    /** Scenario 9: judged on the starts with the class cache, which the image ships. */
    private void coldStartGoals() {
        Map<String, ColdStart.Start> byLabel = new LinkedHashMap<>();
        coldStarts.forEach(start -> byLabel.put(start.label(), start));
        coldStartGoal(byLabel, "1 CPU", 500);
        coldStartGoal(byLabel, SMALL_REPLICA_CPUS + " CPU", 3000);
        ColdStart.Start cached = byLabel.get("1 CPU, class cache");
        ColdStart.Start plain = byLabel.get("1 CPU");
        if (cached != null && plain != null && rawIdleRssBytes > 0) {
            double ratio = (double) cached.idleRssBytes() / rawIdleRssBytes;
            goals.add(new Goal(9, "idle RSS with cls + det ÷ a raw ORT process holding the same sessions",
                    String.format("%.2f (%d ÷ %d MiB)", ratio, cached.idleRssBytes() >> 20, rawIdleRssBytes >> 20),
                    "≤ 1.5", ratio <= 1.5, String.format("%d MiB without the class cache (%.2f)",
                    plain.idleRssBytes() >> 20, (double) plain.idleRssBytes() / rawIdleRssBytes)));
        }
    }

    private void coldStartGoal(Map<String, ColdStart.Start> byLabel, String cpus, double limitMillis) {
        ColdStart.Start cached = byLabel.get(cpus + ", class cache");
        ColdStart.Start plain = byLabel.get(cpus);
        if (cached == null || plain == null) {
            return;
        }
        goals.add(new Goal(9, "cold start on " + cpus + " beyond loading and warming cls + det",
                String.format("%.0f ms (ready after %.0f, models %.0f)", cached.beyondModelsMillis(),
                        cached.readyMillis(), cached.modelMillis()),
                String.format("≤ %.1f s", limitMillis / 1000), cached.beyondModelsMillis() <= limitMillis,
                String.format("with the class cache and unpacked natives the image builds; the JIT compilers had "
                                + "used at least %.0f ms of CPU by ready; without them %.0f ms (ready after %.0f, models "
                                + "%.0f, JIT %.0f ms)",
                        cached.jitMillisAtReady(), plain.beyondModelsMillis(), plain.readyMillis(), plain.modelMillis(),
                        plain.jitMillisAtReady())));
    }

    /** The generator's own CPU use at overload against at saturation. */
    private String generatorShare(LoadResult saturation, LoadResult overload) {
        if (cpus.split()) {
            return String.format("the generator, on its own CPUs, took %.2f cores at this rate (%.2f at saturation)",
                    overload.clientCpuCores(), saturation.clientCpuCores());
        }
        int cores = Runtime.getRuntime().availableProcessors();
        double left = (cores - overload.clientCpuCores()) / (cores - saturation.clientCpuCores());
        return String.format("the generator took %.2f of %d cores at this rate (%.2f at saturation), leaving the "
                + "server at most %.2f of its saturation CPU", overload.clientCpuCores(), cores,
                saturation.clientCpuCores(), left);
    }

    /**
     * Each request costs the node's CPUs its inference plus its transport; with both rates measured
     * alone on those CPUs, the most any server can answer is 1 / (1/raw + 1/transport). The echo
     * also sends the payload back, so its ceiling is low for small answers; the small-answer floor
     * route reads the same body and answers a few bytes.
     */
    private String ceilings(String raw, String echo, String floor) {
        Optional<LoadResult> model = result(raw);
        if (model.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (String transport : new String[]{floor, echo}) {
            Optional<LoadResult> measured = transport == null ? Optional.empty() : result(transport);
            measured.ifPresent(t -> {
                double ceiling = 1 / (1 / model.get().throughput() + 1 / t.throughput());
                parts.add(String.format("%s ceiling %.0f req/s = %.2f of raw (%s %.0f req/s, %.0f µs each)",
                        transport.startsWith("floor") ? "small-answer" : "echo", ceiling,
                        ceiling / model.get().throughput(), transport.startsWith("floor") ? "floor route" : "echo",
                        t.throughput(), 1e6 / t.throughput()));
            });
        }
        return String.join("; ", parts);
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
        return String.format("ceiling 1 + echo ÷ raw batch 1 = 1 + %.0f ÷ %.0f = %.1f×",
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

    private void p50Ratio(String title, String label, String echoLabel, String floorLabel) {
        Optional<LoadResult> lanes = result(label);
        Optional<LoadResult> raw = result("raw-ort cls c=1");
        Optional<LoadResult> echo = result(echoLabel);
        if (lanes.isEmpty() || raw.isEmpty() || echo.isEmpty()) {
            return;
        }
        double sum = raw.get().latency().p50() + echo.get().latency().p50();
        double ratio = lanes.get().latency().p50() / sum;
        String note = String.format("raw %.3f ms, echo %.3f ms", raw.get().latency().p50(), echo.get().latency().p50())
                + result(floorLabel).map(floor -> String.format("; ÷ (raw + small-answer floor %.3f ms) = %.2f",
                floor.latency().p50(), lanes.get().latency().p50() / (raw.get().latency().p50()
                        + floor.latency().p50()))).orElse("");
        goals.add(new Goal(5, title, String.format("%.2f (%.3f ÷ %.3f ms)", ratio, lanes.get().latency().p50(), sum),
                "≤ 1.1", ratio <= 1.1, note));
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
        document.put("cold_starts", coldStarts.stream().map(start -> {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("label", start.label());
            map.put("ready_ms", start.readyMillis());
            map.put("model_load_ms", start.modelMillis());
            map.put("jit_cpu_ms_at_ready", start.jitMillisAtReady());
            map.put("idle_rss_bytes", start.idleRssBytes());
            return map;
        }).toList());
        document.put("raw_ort_idle_rss_bytes", rawIdleRssBytes);
        document.put("jit_settle_seconds", jitSettleSeconds);
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
