package dev.lanes.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A real Prometheus (the {@code prometheus} binary, Debian's package) on a free loopback port,
 * scraping one target every second as job {@code lanes} with the {@code namespace} and {@code pod}
 * labels a Kubernetes PodMonitor would add, and optionally a second target standing in for the
 * cluster's exporters (kube-state-metrics, cAdvisor), scraped with {@code honor_labels} as
 * kube-prometheus-stack scrapes them. Stopped by its PID.
 */
public final class PrometheusFixture implements AutoCloseable {
    private final Process process;
    private final int port;
    private final HttpClient client = HttpClient.newHttpClient();
    private final HttpServer cluster;

    public PrometheusFixture(int targetPort, String namespace, String pod) throws IOException {
        this(targetPort, namespace, pod, null);
    }

    /**
     * @param clusterSeries called at every scrape of the second target for its exposition text,
     *                      or null for no second target
     */
    public PrometheusFixture(int targetPort, String namespace, String pod, Supplier<String> clusterSeries)
            throws IOException {
        this.port = freePort();
        Path directory = Files.createTempDirectory("lanes-prometheus");
        String clusterJob = "";
        if (clusterSeries != null) {
            cluster = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            cluster.createContext("/metrics", exchange -> {
                byte[] body = clusterSeries.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
                exchange.sendResponseHeaders(200, body.length);
                try (var out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            cluster.start();
            clusterJob = """
                      - job_name: kube-state-metrics
                        honor_labels: true
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                    """.formatted(cluster.getAddress().getPort());
        } else {
            cluster = null;
        }
        Path config = Files.writeString(directory.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: lanes
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                        labels:
                          namespace: "%s"
                          pod: "%s"
                """.formatted(targetPort, namespace, pod) + clusterJob);
        List<String> command = List.of("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(directory.resolve("prometheus.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("no prometheus binary: apt-get install -y prometheus (.ci/run does)", e);
        }
        awaitReady();
    }

    /** The result vector of an instant query (empty when there is no data). */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        String uri = "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
        JsonNode body = ServerFixture.json(client.send(HttpRequest.newBuilder(URI.create(uri)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalStateException(promql + ": " + body);
        }
        return body.path("data").path("result");
    }

    /** Waits until the target has been scraped at least {@code scrapes} times. */
    public void awaitScrapes(int scrapes) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            JsonNode count = query("count_over_time(up{job=\"lanes\"}[5m])");
            if (!count.isEmpty() && count.get(0).path("value").get(1).asDouble() >= scrapes) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("Prometheus did not scrape " + scrapes + " times within 60 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private void awaitReady() {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.nanoTime() > end || !process.isAlive()) {
                throw new IllegalStateException("Prometheus did not become ready");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (cluster != null) {
            cluster.stop(0);
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
