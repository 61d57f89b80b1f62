package dev.lanes.benchmarks.scalesim;

import dev.lanes.benchmarks.suite.ServerProcess;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.signals.hpa.HorizontalPodAutoscaler;
import dev.lanes.signals.hpa.ScalingBehavior;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code scale-sim}: the autoscaling loop on one machine with real processes. Real Lanes nodes
 * (each capped to a share of a CPU, as a Kubernetes CPU limit would) sit behind a real haproxy; an
 * open-loop load ramps up to about three times one node's measured capacity, holds, and ramps
 * down; every second the simulation scrapes each node's inference_queue_length and, every sync
 * period, applies the Kubernetes HPA algorithm to start nodes (routed once ready) or drain them
 * (unrouted, then SIGTERM). It writes timeline.csv and timeline.png and checks the acceptance:
 * replicas rise, the queue returns under target at the plateau, and the way down fails nothing.
 *
 * <pre>bin/scale-sim [--out DIR] [--cpus-per-node 0.25] [--ramp-up 40] [--plateau 60] [--ramp-down 40] [--tail 60]</pre>
 */
public final class ScaleSim {
    private static final int WIDTH = 1024;
    private static final String MODEL_CONFIG = """
            max_batch_size: 4
            dynamic_batching { default_queue_policy { max_queue_size: 512 } }
            instance_group [ { count: 1 kind: KIND_CPU } ]
            parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
            """;

    private final Map<String, String> options;

    private ScaleSim(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        System.exit(run(options) ? 0 : 1);
    }

    /** Runs one simulation with {@code --key value} options (without the dashes); true when accepted. */
    public static boolean run(Map<String, String> options) throws Exception {
        return new ScaleSim(options).run();
    }

    private double number(String key, double fallback) {
        return Double.parseDouble(options.getOrDefault(key, Double.toString(fallback)));
    }

    private boolean run() throws Exception {
        Path out = Path.of(options.getOrDefault("out", "benchmarks/results/scale-sim")).toAbsolutePath();
        Files.createDirectories(out);
        Path lanes = Path.of(options.getOrDefault("lanes", "bin/lanes")).toAbsolutePath();
        int rampUp = (int) number("ramp-up", 40);
        int plateau = (int) number("plateau", 60);
        int rampDown = (int) number("ramp-down", 40);
        int tail = (int) number("tail", 60);
        int sync = (int) number("sync-seconds", 2);
        int minReplicas = (int) number("min-replicas", 1);
        int maxReplicas = (int) number("max-replicas", 6);
        double target = number("target", 4); // max_batch_size 4 × 1 instance
        Path repository = out.resolve("repository");
        new TestRepository(repository).model("sim", 1, TestModels.slow(WIDTH, 200)).config("sim", MODEL_CONFIG);
        String body = body();
        Timeline timeline = new Timeline();

        try (NodePool pool = new NodePool(lanes, repository, out,
                number("cpus-per-node", 0.25),
                List.of("--cache", "none", "--set", "lanes.server.drain-grace=PT2S",
                        "--set", "lanes.server.drain-timeout=PT30S"));
             HaproxyBalancer balancer = new HaproxyBalancer(out, ServerProcess.freePort())) {
            for (int i = 0; i < minReplicas; i++) {
                pool.start();
            }
            awaitReady(pool, pool.active());
            route(balancer, pool);
            double capacity = calibrate(pool.active().get(0).port, body);
            double peak = 3 * capacity;
            System.out.printf("scale-sim: one node answers %.0f req/s; ramping to %.0f req/s%n", capacity, peak);

            HorizontalPodAutoscaler hpa = new HorizontalPodAutoscaler(minReplicas, maxReplicas, target, 0.1,
                    new ScalingBehavior(Duration.ZERO, List.of(
                            new ScalingBehavior.Policy(ScalingBehavior.Policy.Type.PERCENT, 100, Duration.ofSeconds(6)),
                            new ScalingBehavior.Policy(ScalingBehavior.Policy.Type.PODS, 2, Duration.ofSeconds(6))),
                            ScalingBehavior.Select.MAX),
                    // Queue length reads low whenever the nodes have headroom, so a window shorter
                    // than the plateau removes nodes mid-plateau and the queue climbs back (20 s
                    // did); 60 s stands in for Kubernetes' 300 s on the sim's compressed clock.
                    new ScalingBehavior(Duration.ofSeconds(60), List.of(
                            new ScalingBehavior.Policy(ScalingBehavior.Policy.Type.PODS, 1, Duration.ofSeconds(6))),
                            ScalingBehavior.Select.MAX));
            int total = rampUp + plateau + rampDown + tail;
            try (OpenLoopLoad load = new OpenLoopLoad(URI.create("http://127.0.0.1:" + balancer.port()
                    + "/v2/models/sim/infer"), body)) {
                long start = System.nanoTime();
                int desired = minReplicas;
                for (int t = 0; t < total; t++) {
                    double offered = offered(t, rampUp, plateau, rampDown, 0.2 * capacity, peak);
                    load.rate(offered);
                    park(start + TimeUnit.SECONDS.toNanos(t + 1));
                    OpenLoopLoad.Interval interval = load.sample();
                    boolean changed = false;
                    for (NodePool.Node node : pool.active()) {
                        if (!node.ready && pool.checkReady(node)) {
                            changed = true;
                        }
                    }
                    List<Double> queues = new ArrayList<>();
                    for (NodePool.Node node : pool.active()) {
                        if (node.ready) {
                            OptionalDouble queue = pool.queueLength(node);
                            queue.ifPresent(queues::add);
                        }
                    }
                    int active = pool.active().size();
                    if (t % sync == 0) {
                        desired = hpa.reconcile(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), active,
                                queues, active - queues.size());
                        for (int i = active; i < desired; i++) {
                            pool.start();
                        }
                        if (desired < active) {
                            List<NodePool.Node> leaving = pool.active().stream().filter(n -> n.ready)
                                    .sorted(Comparator.comparingLong((NodePool.Node n) -> n.process.pid()).reversed())
                                    .limit(active - desired).toList();
                            leaving.forEach(n -> n.draining = true);
                            route(balancer, pool); // out of rotation first, then SIGTERM
                            leaving.forEach(pool::drain);
                            changed = false;
                        }
                    }
                    if (changed) {
                        route(balancer, pool);
                    }
                    int ready = (int) pool.active().stream().filter(n -> n.ready).count();
                    double average = queues.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                    double max = queues.stream().mapToDouble(Double::doubleValue).max().orElse(0);
                    timeline.add(new Timeline.Second(t, offered, interval.ok(), interval.rejected(), interval.failed(),
                            interval.p99Millis(), desired, ready, average, max));
                    System.out.printf("t=%3ds offered=%4.0f ok=%4d 503=%3d failed=%d p99=%6.1fms replicas=%d/%d queue=%.1f%n",
                            t, offered, interval.ok(), interval.rejected(), interval.failed(), interval.p99Millis(),
                            ready, desired, average);
                }
                if (!load.failureReasons().isEmpty()) {
                    System.out.println("scale-sim: failures: " + load.failureReasons());
                }
            }
        }
        timeline.writeCsv(out.resolve("timeline.csv"));
        TimelinePlot.write(timeline.seconds(), target, out.resolve("timeline.png"));
        return accept(timeline.seconds(), rampUp, plateau, target, minReplicas);
    }

    /** Replicas rose, the queue came back under target late in the plateau, the way down failed nothing. */
    private static boolean accept(List<Timeline.Second> seconds, int rampUp, int plateau, double target, int minReplicas) {
        int maxReady = seconds.stream().mapToInt(Timeline.Second::ready).max().orElse(0);
        double lateQueue = seconds.subList(rampUp + plateau - 10, rampUp + plateau).stream()
                .mapToDouble(Timeline.Second::queueAverage).average().orElse(Double.MAX_VALUE);
        List<Timeline.Second> down = seconds.subList(rampUp + plateau, seconds.size());
        long downFailures = down.stream().mapToLong(s -> s.failed() + s.rejected()).sum();
        long failures = seconds.stream().mapToLong(Timeline.Second::failed).sum();
        int finalReady = seconds.get(seconds.size() - 1).ready();
        System.out.printf("scale-sim: replicas %d → max %d → %d; queue at the end of the plateau %.2f (target %.0f);"
                        + " failed on the way down %d; failed overall %d%n",
                minReplicas, maxReady, finalReady, lateQueue, target, downFailures, failures);
        boolean accepted = maxReady > minReplicas && lateQueue <= target && downFailures == 0 && finalReady < maxReady;
        System.out.println("scale-sim: acceptance " + (accepted ? "PASSED" : "FAILED"));
        return accepted;
    }

    private static double offered(int t, int rampUp, int plateau, int rampDown, double low, double peak) {
        if (t < rampUp) {
            return low + (peak - low) * t / rampUp;
        }
        if (t < rampUp + plateau) {
            return peak;
        }
        if (t < rampUp + plateau + rampDown) {
            return peak - (peak - low) * (t - rampUp - plateau) / rampDown;
        }
        return low;
    }

    private static void route(HaproxyBalancer balancer, NodePool pool) throws Exception {
        balancer.route(pool.active().stream().filter(n -> n.ready).map(n -> n.port).toList());
    }

    private static void awaitReady(NodePool pool, List<NodePool.Node> nodes) {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (NodePool.Node node : nodes) {
            while (!pool.checkReady(node)) {
                if (System.nanoTime() > end || !node.process.isAlive()) {
                    throw new IllegalStateException("node on port " + node.port + " never became ready");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }
    }

    /** One node's answers per second under a closed loop of 8 callers (after a warm-up). */
    private static double calibrate(int port, String body) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/sim/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 8; c++) {
                threads.submit(() -> {
                    while (!stop.get()) {
                        if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200
                                && counting.get()) {
                            done.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            park(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            counting.set(true);
            long start = System.nanoTime();
            park(start + TimeUnit.SECONDS.toNanos(8));
            counting.set(false);
            stop.set(true);
            return done.get() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static String body() {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < WIDTH; i++) {
            data.append(i == 0 ? "" : ",").append((i % 7) / 7.0);
        }
        return "{\"inputs\":[{\"name\":\"x\",\"shape\":[1," + WIDTH + "],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}";
    }

    /** The simulation's clock: waits until {@code deadline}. */
    private static void park(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

}
