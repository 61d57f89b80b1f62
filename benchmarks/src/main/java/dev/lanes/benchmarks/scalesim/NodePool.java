package dev.lanes.benchmarks.scalesim;

import dev.lanes.benchmarks.suite.CpuQuota;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.OptionalDouble;

/**
 * Real Lanes node processes started with {@code bin/lanes serve}, each capped to a share of a
 * CPU with a cgroup (as a Kubernetes CPU limit would), so that adding nodes adds capacity on one
 * machine. Nodes leave by SIGTERM, which runs their drain.
 */
final class NodePool implements AutoCloseable {
    /** One node and what the simulation knows of it. */
    static final class Node {
        final int port;
        final Process process;
        boolean ready;
        boolean draining;

        Node(int port, Process process) {
            this.port = port;
            this.process = process;
        }
    }

    private final Path lanes;
    private final Path repository;
    private final Path directory;
    private final double cpusPerNode;
    /** One CPU quota group per node, each removed once its node has exited. */
    private final List<CpuQuota> quotas = new ArrayList<>();
    private boolean warnedUncapped;
    private final List<String> flags;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final List<Node> nodes = new ArrayList<>();

    NodePool(Path lanes, Path repository, Path directory, double cpusPerNode, List<String> flags) {
        this.lanes = lanes;
        this.repository = repository;
        this.directory = directory;
        this.cpusPerNode = cpusPerNode;
        this.flags = List.copyOf(flags);
    }

    Node start() throws IOException {
        int port = ServerProcess.freePort();
        List<String> command = new ArrayList<>();
        // capped from its first instruction, as a Kubernetes CPU limit caps a container
        Optional<CpuQuota> quota = CpuQuota.create("lanes-scale-sim-" + ProcessHandle.current().pid() + "-" + port,
                cpusPerNode);
        quota.ifPresentOrElse(q -> {
            quotas.add(q);
            command.addAll(q.prefix());
        }, () -> {
            if (!warnedUncapped) {
                warnedUncapped = true;
                System.err.println("scale-sim: no writable cgroup cpu controller; nodes run uncapped");
            }
        });
        command.addAll(List.of(lanes.toString(), "serve", "--host", "127.0.0.1",
                // haproxy balances REST only; gRPC off spares each 0.25-CPU node the 0.4 s of CPU
                // its listener costs at start, which would only delay readiness here.
                "--port", Integer.toString(port), "--grpc-port", "0",
                "--model-repository", repository.toString()));
        command.addAll(flags);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("node-" + port + ".log").toFile()).start();
        Node node = new Node(port, process);
        nodes.add(node);
        return node;
    }

    /** Nodes not draining: serving or starting. */
    List<Node> active() {
        return nodes.stream().filter(n -> !n.draining && n.process.isAlive()).toList();
    }

    boolean checkReady(Node node) {
        try {
            node.ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port
                    + "/v2/health/ready")).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            node.ready = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return node.ready;
    }

    /** The node's inference_queue_length summed over models, or empty when it did not answer. */
    OptionalDouble queueLength(Node node) {
        try {
            String scrape = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + "/metrics"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return OptionalDouble.of(scrape.lines().filter(line -> line.startsWith("inference_queue_length{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum());
        } catch (IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
    }

    /** SIGTERM: the node drains (readiness 503, grace, refuse, finish) and exits by itself. */
    void drain(Node node) {
        node.draining = true;
        node.process.destroy();
    }

    @Override
    public void close() {
        nodes.forEach(n -> n.process.destroy());
        // A cgroup with a process in it cannot be removed: wait for the drains, then kill the rest.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Node node : nodes) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !node.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    node.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                node.process.destroyForcibly();
            }
        }
        quotas.forEach(CpuQuota::close);
    }
}
