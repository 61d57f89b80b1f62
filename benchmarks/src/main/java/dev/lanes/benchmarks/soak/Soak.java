package dev.lanes.benchmarks.soak;

import dev.lanes.benchmarks.suite.ServerProcess;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bin/bench soak --minutes N}: one node under mixed REST and gRPC load at a share of its
 * saturation for N minutes, half the requests repeating one of a few inputs (cache hits, locally
 * and through Redis), the model reloaded every minute and Redis killed for 10 s a quarter of the
 * way in (inside the first third, so not in the thirds the verdict compares). Every
 * 10 s it samples the node's resident memory, heap after a full collection (jcmd GC.run), direct buffers, threads and
 * open files; it fails when one of them still grows in the last third of the run (growth that
 * levels off is warm-up, growth that does not is a leak), or when a request failed for any reason
 * but a 503 (the node refused under load, which a client retries elsewhere).
 *
 * <p>Options: {@code --minutes} (30), {@code --share} of saturation (0.7), {@code --out}
 * ({@code benchmarks/results/soak}), {@code --lanes} (bin/lanes).
 */
public final class Soak {
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    private static final Duration RELOAD_EVERY = Duration.ofMinutes(1);
    private static final Duration REDIS_DOWN_FOR = Duration.ofSeconds(10);
    private static final int IN = 256;
    private static final int HIDDEN = 512;
    private static final int OUT = 16;

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("options are --key value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        System.exit(run(options) ? 0 : 1);
    }

    static boolean run(Map<String, String> options) throws Exception {
        double minutes = Double.parseDouble(options.getOrDefault("minutes", "30"));
        double share = Double.parseDouble(options.getOrDefault("share", "0.7"));
        Path out = Path.of(options.getOrDefault("out", "benchmarks/results/soak")).toAbsolutePath();
        Path lanes = Path.of(options.getOrDefault("lanes", "bin/lanes")).toAbsolutePath();
        Files.createDirectories(out);
        Path repository = out.resolve("repository");
        new TestRepository(repository).model("soak", 1, TestModels.mlp(IN, HIDDEN, OUT, 7))
                .config("soak", "max_batch_size: 32\ndynamic_batching { max_queue_delay_microseconds: 500 }\n");

        try (RedisProcess redis = RedisProcess.start(out.resolve("redis.log"));
             NodeUnderSoak node = NodeUnderSoak.start(lanes, repository, out.resolve("lanes.log"),
                     List.of("--model-control-mode", "explicit", "--load-model", "soak",
                             "--cache", "tiered", "--redis", redis.url(),
                             "--set", "lanes.cache.all-models=true",
                             "--set", "lanes.server.drain-grace=PT0S"));
             MixedLoad load = new MixedLoad(node.restPort(), node.grpcPort(), "soak", IN)) {
            double saturation = load.saturation(Duration.ofSeconds(20));
            double rate = share * saturation;
            System.out.printf("soak: saturation %.0f req/s (REST and gRPC alternating, unique inputs); "
                    + "soaking at %.0f req/s for %.0f min%n", saturation, rate, minutes);
            load.rate(rate);

            List<Sample> samples = new ArrayList<>();
            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            long nextReload = start + RELOAD_EVERY.toNanos();
            long redisKillAt = start + (end - start) / 4;
            java.util.concurrent.atomic.AtomicReference<Exception> redisFailure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread redisOutage = null;
            int reloads = 0;
            int reloadFailures = 0;
            try (PrintStream csv = new PrintStream(Files.newOutputStream(out.resolve("samples.csv")))) {
                csv.println(Sample.CSV_HEADER);
                for (long next = start + SAMPLE_EVERY.toNanos(); next - end <= 0; next += SAMPLE_EVERY.toNanos()) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    long now = System.nanoTime();
                    if (now - nextReload >= 0) {
                        reloads++;
                        if (!node.reload("soak")) {
                            reloadFailures++;
                        }
                        nextReload += RELOAD_EVERY.toNanos();
                    }
                    if (redisOutage == null && now - redisKillAt >= 0) {
                        System.out.println("soak: killing Redis for " + REDIS_DOWN_FOR.toSeconds() + " s");
                        redisOutage = Thread.ofVirtual().start(() -> {
                            try {
                                redis.kill();
                                LockSupport.parkNanos(REDIS_DOWN_FOR.toNanos()); // the outage itself
                                redis.restart();
                            } catch (Exception e) {
                                redisFailure.set(e); // fails the verdict: the soak must not pass without Redis
                            }
                        });
                    }
                    Sample sample = node.sample((now - start) / 1e9, load.interval());
                    samples.add(sample);
                    csv.println(sample.csv());
                    csv.flush();
                    System.out.println("soak: " + sample);
                }
            }
            if (redisOutage != null) {
                redisOutage.join();
            }
            Verdict verdict = Verdict.of(samples, load.failures(), reloads, reloadFailures,
                    redisOutage == null ? "Redis was never killed (the run is too short)"
                            : redisFailure.get() == null ? null : "Redis did not come back: " + redisFailure.get());
            Files.writeString(out.resolve("verdict.txt"), verdict.report());
            System.out.print(verdict.report());
            return verdict.passed();
        }
    }

    /** The node as bin/lanes starts it (the launcher's memory settings included), with its /proc readings. */
    static final class NodeUnderSoak implements AutoCloseable {
        private final Process process;
        private final int restPort;
        private final int grpcPort;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        private NodeUnderSoak(Process process, int restPort, int grpcPort) {
            this.process = process;
            this.restPort = restPort;
            this.grpcPort = grpcPort;
        }

        static NodeUnderSoak start(Path lanes, Path repository, Path log, List<String> flags) throws Exception {
            int rest = ServerProcess.freePort();
            int grpc = ServerProcess.freePort();
            List<String> command = new ArrayList<>(List.of(lanes.toString(), "serve", "--host", "127.0.0.1",
                    "--port", Integer.toString(rest), "--grpc-port", Integer.toString(grpc),
                    "--model-repository", repository.toString()));
            command.addAll(flags);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            NodeUnderSoak node = new NodeUnderSoak(process, rest, grpc);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!node.ready()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    node.close();
                    throw new IOException("the node did not become ready; see " + log);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // a child's readiness: polling is all there is
            }
            return node;
        }

        int restPort() {
            return restPort;
        }

        int grpcPort() {
            return grpcPort;
        }

        private boolean ready() {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + "/v2/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        boolean reload(String model) throws InterruptedException {
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort
                                + "/v2/repository/models/" + model + "/load")).timeout(Duration.ofMinutes(1))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                return status == 200;
            } catch (IOException e) {
                return false;
            }
        }

        Sample sample(double seconds, MixedLoad.Interval interval) throws IOException, InterruptedException {
            long pid = process.pid();
            long resident = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    resident = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).trim());
                }
            }
            int files;
            try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                files = (int) fds.count();
            }
            // A full collection first, so the heap reading is what survives one: garbage does not count as growth.
            Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long heapAfterGc = gc.waitFor(30, TimeUnit.SECONDS) && gc.exitValue() == 0 ? -2 : -1;
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (heapAfterGc == -2) { // what the collection left live, not what was allocated since
                heapAfterGc = metric(metrics, "jvm_gc_live_data_size_bytes");
            }
            return new Sample(seconds, resident, heapAfterGc,
                    metric(metrics, "jvm_buffer_memory_used_bytes{id=\"direct\"}"), threads, files,
                    interval.ok(), interval.rejected(), interval.failed(), interval.skipped(), interval.p99Millis());
        }

        private static long metric(String scrape, String series) {
            return scrape.lines().filter(line -> line.startsWith(series + " ") || line.startsWith(series.replace("}", ",}") + " "))
                    .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .findFirst().orElse(-1);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
