package dev.lanes.benchmarks.load;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Command line of the load generator: a closed-loop concurrency sweep or open-loop arrival
 * rates against one model, over REST JSON, REST binary or gRPC; prints one line per level and
 * writes every result as JSON.
 */
public final class LoadGenerator {
    static final String USAGE = """
            Usage: bin/bench load --model NAME --input NAME:D0,D1,... [options]
              --url URL              server (default http://127.0.0.1:8000)
              --protocol P           rest-json | rest-binary | grpc (default rest-binary)
              --concurrency N[,N..]  closed loop, one level per value (default 1,2,4,8,16,32,64)
              --rate R[,R..]         open loop instead: requests per second, one level per value
              --arrival A            poisson | constant (open loop, default poisson)
              --warmup S             seconds before measuring (default 2)
              --window S             closed loop: seconds per window (default 2); stable when 3 agree within 10 %
              --max-windows N        closed loop: give up on stability after N windows (default 8)
              --duration S           open loop: measured seconds (default 10)
              --connections N        open loop: connections at most (default 1024)
              --grpc-port N          the server's gRPC port, for --protocol grpc (default 8001)
              --grpc-channels N      gRPC connections shared by the callers (default 4)
              --server-pid PID       also report the server process's CPU use, and pin it to the measured CPUs
              --shared-cores         leave every process on every CPU (default with two CPUs or more and
                                     taskset: this generator on the lower half of the allowed CPUs and the
                                     --server-pid process on the upper half, both restored afterwards)
              --json FILE            write the results there (default: stdout only)
              --quiet                no progress line
            """;

    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs the levels the arguments ask for; 0 when every request succeeded and /metrics agreed, 1 otherwise, 2 for usage. */
    public static int run(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args, "quiet", "shared-cores");
        if (options.containsKey("help") || !options.containsKey("model") || !options.containsKey("input")) {
            System.err.print(USAGE);
            return options.containsKey("help") ? 0 : 2;
        }
        URI url = URI.create(options.getOrDefault("url", "http://127.0.0.1:8000"));
        Protocol protocol = Protocol.parse(options.getOrDefault("protocol", "rest-binary"));
        Workload workload = Workload.parse(options.get("model"), options.get("input"));
        Duration warmUp = seconds(options.getOrDefault("warmup", "2"));
        OptionalLong serverPid = options.containsKey("server-pid")
                ? OptionalLong.of(Long.parseLong(options.get("server-pid"))) : OptionalLong.empty();
        boolean progress = !options.containsKey("quiet");
        List<LoadResult> results = new ArrayList<>();
        int grpcPort = Integer.parseInt(options.getOrDefault("grpc-port", "8001"));
        CpuSplit cpus = CpuSplit.choose(options.containsKey("shared-cores"));
        System.err.println("bench: cores " + (serverPid.isPresent() || !cpus.split() ? cpus.describe()
                : "split with taskset: the load generator on CPU " + cpus.generator() + "; the server stays where it"
                        + " runs (give --server-pid to pin it to CPU " + cpus.measured() + ")"));
        try (CpuSplit.Pinning server = serverPid.isPresent() ? cpus.pinServer(serverPid.getAsLong()) : () -> { };
             CpuSplit.Pinning generator = cpus.pinThisProcess();
             Target target = new Target(url.getHost(), url.getPort(), grpcPort, protocol, workload,
                Integer.parseInt(options.getOrDefault("grpc-channels", "4")))) {
            if (options.containsKey("rate")) {
                for (double rate : Arrays.stream(options.get("rate").split(",")).mapToDouble(Double::parseDouble).toArray()) {
                    OpenLoop open = new OpenLoop(rate, OpenLoop.Arrival.parse(options.getOrDefault("arrival", "poisson")),
                            warmUp, seconds(options.getOrDefault("duration", "10")),
                            Integer.parseInt(options.getOrDefault("connections", "1024")));
                    results.add(report(open.run(target, protocol.label() + " rate=" + rate, serverPid, progress)));
                }
            } else {
                for (int concurrency : Arrays.stream(options.getOrDefault("concurrency", "1,2,4,8,16,32,64").split(","))
                        .mapToInt(Integer::parseInt).toArray()) {
                    ClosedLoop closed = new ClosedLoop(concurrency, warmUp, seconds(options.getOrDefault("window", "2")),
                            Integer.parseInt(options.getOrDefault("max-windows", "8")), 0.10);
                    results.add(report(closed.run(target, protocol.label() + " c=" + concurrency, serverPid, progress)));
                }
            }
        }
        if (options.containsKey("json")) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("command", "bin/bench load " + String.join(" ", args));
            document.put("results", results.stream().map(LoadResult::toMap).toList());
            Files.writeString(Path.of(options.get("json")), Json.write(document) + "\n");
        }
        boolean failed = results.stream().anyMatch(r -> r.counts().errors() > 0
                || (r.check() != null && !r.check().agrees()));
        return failed ? 1 : 0;
    }

    /** One line per level; also returns the result. */
    public static LoadResult report(LoadResult result) {
        Latency latency = result.latency();
        System.out.printf("%-28s %10.1f req/s  p50 %8.3f  p90 %8.3f  p99 %8.3f  max %8.3f ms  rejected %d  errors %d"
                        + "  %s  client %.2f cores%s%n",
                result.label(), result.throughput(), latency.p50(), latency.p90(), latency.p99(), latency.max(),
                result.counts().rejected(), result.counts().errors(), result.stable() ? "stable" : "UNSTABLE",
                result.clientCpuCores(), metricsNote(result.check()));
        result.errorReasons().forEach((reason, count) -> System.out.printf("    %d × %s%n", count, reason));
        return result;
    }

    private static String metricsNote(LoadResult.MetricsCheck check) {
        if (check == null) {
            return "";
        }
        return check.agrees() ? "  /metrics agrees (" + (long) check.serverSuccess() + ")"
                : String.format("  /metrics DISAGREES: client ok %d, server success %.0f", check.clientOk(),
                check.serverSuccess());
    }

    private static Duration seconds(String text) {
        return Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
    }
}
