package dev.lanes.benchmarks.tune;

import dev.lanes.benchmarks.load.ClosedLoop;
import dev.lanes.benchmarks.load.Json;
import dev.lanes.benchmarks.load.LoadGenerator;
import dev.lanes.benchmarks.load.LoadResult;
import dev.lanes.benchmarks.load.Options;
import dev.lanes.benchmarks.load.Protocol;
import dev.lanes.benchmarks.load.Target;
import dev.lanes.benchmarks.load.Workload;
import dev.lanes.benchmarks.load.CpuSplit;
import dev.lanes.benchmarks.suite.ServerProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Finds the configuration of one model that serves the most requests per second on this machine
 * while its p99 latency stays within an objective, and writes it as config.pbtxt: what Triton
 * leaves to a separate model analyzer. One Lanes node runs in explicit control mode; each
 * candidate is loaded through the repository API with a config override (no restart), then the
 * load generator sweeps concurrency until p99 passes the objective.
 */
public final class Tuner {
    static final String USAGE = """
            Usage: bin/bench tune --model-dir DIR --input NAME:D0,D1,... --p99-ms MS [options]
              --model-dir DIR        a Triton model directory (version folders with model.onnx)
              --input SPEC           the request's input, e.g. x:1,3,48,192
              --p99-ms MS            latency objective: p99 at or below this
              --protocol P           rest-binary | grpc | rest-json (default rest-binary)
              --instances LIST       default: 1,2,4,.. up to the node's cores
              --threads LIST         intra-op threads; default 1,2,4,.. with instances × threads <= the node's cores
              --max-batch LIST       default 1,4,16,64
              --queue-delay-us LIST  default 0,1000
              --concurrency LIST     default 1,2,4,8,16,32,64
              --window S             seconds per measurement window (default 1; 3 windows, 1 s warm-up)
              --server-jar JAR       default server/target/lanes-server.jar
              --out DIR              config.pbtxt and tune.json (default benchmarks/results/tune/NAME)
              --shared-cores         node and generator on every CPU (default with two CPUs or more and
                                     taskset: the node on the upper half, this generator on the lower half)
            """;

    /** Queue bound written into every candidate: enough for the sweep's highest concurrency. */
    private static final int MAX_QUEUE_SIZE = 256;

    record Trial(Candidate candidate, List<LoadResult> levels, Optional<LoadResult> best) {
    }

    private Tuner() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** 0 when a config.pbtxt was written, 1 when no candidate met the objective, 2 for usage. */
    public static int run(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args, "shared-cores");
        if (options.containsKey("help") || !options.containsKey("model-dir") || !options.containsKey("input")
                || !options.containsKey("p99-ms")) {
            System.err.print(USAGE);
            return options.containsKey("help") ? 0 : 2;
        }
        Path modelDir = Path.of(options.get("model-dir")).toAbsolutePath().normalize();
        String name = modelDir.getFileName().toString();
        double objective = Double.parseDouble(options.get("p99-ms"));
        CpuSplit cpus = CpuSplit.choose(options.containsKey("shared-cores"));
        // candidates are sized for the CPUs the node gets
        int cores = cpus.split() ? CpuSplit.parse(cpus.measured()).size() : Runtime.getRuntime().availableProcessors();
        List<Integer> instances = ints(options.get("instances"), powersOfTwo(cores));
        List<Integer> threads = ints(options.get("threads"), powersOfTwo(cores));
        List<Integer> batches = ints(options.get("max-batch"), List.of(1, 4, 16, 64));
        List<Integer> delays = ints(options.get("queue-delay-us"), List.of(0, 1000));
        List<Integer> concurrency = ints(options.get("concurrency"), List.of(1, 2, 4, 8, 16, 32, 64));
        Duration window = Duration.ofMillis(Math.round(Double.parseDouble(options.getOrDefault("window", "1")) * 1000));
        Protocol protocol = Protocol.parse(options.getOrDefault("protocol", "rest-binary"));
        Path out = Files.createDirectories(Path.of(options.getOrDefault("out", "benchmarks/results/tune/" + name)));
        List<Candidate> grid = grid(instances, threads, batches, delays, options.containsKey("threads") ? 0 : cores);
        System.err.printf("tune: %d candidates for %s, p99 objective %.1f ms%n", grid.size(), name, objective);

        Path repository = Files.createTempDirectory("lanes-tune");
        Files.createSymbolicLink(repository.resolve(name), modelDir);
        Workload workload = Workload.parse(name, options.get("input"));
        List<Trial> trials = new ArrayList<>();
        System.err.println("tune: cores " + cpus.describe());
        try (ServerProcess node = ServerProcess.lanes(
                Path.of(options.getOrDefault("server-jar", "server/target/lanes-server.jar")), repository,
                out.resolve("lanes.log"), List.of("--model-control-mode", "explicit",
                        "--set", "lanes.server.drain-grace=PT0S"), cpus);
             CpuSplit.Pinning generator = cpus.pinThisProcess();
             Target target = new Target("127.0.0.1", node.port(), node.grpcPort(), protocol, workload, 4)) {
            for (Candidate candidate : grid) {
                load(node.port(), name, candidate.configJson(name, MAX_QUEUE_SIZE));
                System.err.println("tune: " + candidate);
                trials.add(sweep(target, candidate, concurrency, window, objective, node.pid()));
            }
        } finally {
            Files.deleteIfExists(repository.resolve(name));
            Files.deleteIfExists(repository);
        }
        return write(name, objective, protocol, trials, out, String.join(" ", args)) ? 0 : 1;
    }

    /** Closed loop at rising concurrency; stops once p99 is over the objective or errors appear. */
    static Trial sweep(Target target, Candidate candidate, List<Integer> concurrency, Duration window,
                       double objectiveMillis, long pid) {
        List<LoadResult> levels = new ArrayList<>();
        Optional<LoadResult> best = Optional.empty();
        for (int c : concurrency) {
            LoadResult result = LoadGenerator.report(new ClosedLoop(c, Duration.ofSeconds(1), window, 3, 0.10)
                    .run(target, candidate + " c=" + c, OptionalLong.of(pid), false));
            levels.add(result);
            boolean meets = result.counts().errors() == 0 && result.counts().rejected() == 0
                    && result.latency().p99() <= objectiveMillis;
            if (!meets) {
                break;
            }
            if (best.isEmpty() || result.throughput() > best.get().throughput()) {
                best = Optional.of(result);
            }
        }
        return new Trial(candidate, levels, best);
    }

    static List<Candidate> grid(List<Integer> instances, List<Integer> threads, List<Integer> batches,
                                List<Integer> delays, int coreLimit) {
        List<Candidate> grid = new ArrayList<>();
        for (int i : instances) {
            for (int t : threads) {
                if (coreLimit > 0 && i * t > coreLimit) {
                    continue;
                }
                for (int b : batches) {
                    for (int d : b > 1 ? delays : List.of(0)) {
                        grid.add(new Candidate(i, t, b, d));
                    }
                }
            }
        }
        return grid;
    }

    /** Writes tune.json, and config.pbtxt when a candidate met the objective (then returns true). */
    private static boolean write(String name, double objective, Protocol protocol, List<Trial> trials, Path out,
                                 String command) throws IOException {
        Optional<Trial> winner = trials.stream().filter(t -> t.best().isPresent())
                .max((a, b) -> Double.compare(a.best().get().throughput(), b.best().get().throughput()));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("command", "bin/bench tune " + command);
        document.put("model", name);
        document.put("p99_objective_ms", objective);
        document.put("protocol", protocol.label());
        document.put("trials", trials.stream().map(t -> {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("candidate", t.candidate().toString());
            map.put("best_throughput", t.best().map(LoadResult::throughput).orElse(0.0));
            map.put("best_concurrency", t.best().map(LoadResult::concurrency).orElse(0));
            map.put("best_p99_ms", t.best().map(r -> r.latency().p99()).orElse(Double.NaN));
            map.put("levels", t.levels().stream().map(LoadResult::toMap).toList());
            return map;
        }).toList());
        Files.writeString(out.resolve("tune.json"), Json.write(document) + "\n");
        if (winner.isEmpty()) {
            System.err.printf("tune: no candidate met p99 <= %.1f ms even at the lowest concurrency; see %s%n",
                    objective, out.resolve("tune.json"));
            return false;
        }
        Trial best = winner.get();
        LoadResult result = best.best().orElseThrow();
        String header = String.format(Locale.ROOT, "# Written by bin/bench tune for a p99 objective of %.1f ms (%s).%n"
                        + "# Best of %d candidates on this machine: %.0f requests/s at concurrency %d, p99 %.2f ms.%n",
                objective, protocol.label(), trials.size(), result.throughput(), result.concurrency(),
                result.latency().p99());
        Path config = out.resolve("config.pbtxt");
        Files.writeString(config, header + best.candidate().configText(name, MAX_QUEUE_SIZE));
        System.out.println("tune: best " + best.candidate() + String.format(Locale.ROOT,
                " -> %.0f req/s at c=%d, p99 %.2f ms", result.throughput(), result.concurrency(), result.latency().p99()));
        System.out.println("tune: wrote " + config + " and " + out.resolve("tune.json"));
        return true;
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Triton's repository load with a config override; answers once the new configuration serves. */
    static void load(int port, String name, String configJson) throws IOException, InterruptedException {
        String body = "{\"parameters\":{\"config\":" + quote(configJson) + "}}";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v2/repository/models/" + name + "/load"))
                .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("loading " + name + " with " + configJson + " failed: " + response.statusCode() + " "
                    + response.body());
        }
    }

    private static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static List<Integer> powersOfTwo(int max) {
        return Stream.iterate(1, i -> i <= max, i -> i * 2).toList();
    }

    private static List<Integer> ints(String text, List<Integer> fallback) {
        return text == null ? fallback : Arrays.stream(text.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }
}
