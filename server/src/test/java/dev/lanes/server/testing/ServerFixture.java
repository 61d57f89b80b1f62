package dev.lanes.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lanes.cache.CacheSettings;
import dev.lanes.runtime.model.RuntimeSettings;
import dev.lanes.server.LanesServer;
import dev.lanes.server.config.DrainSettings;
import dev.lanes.server.config.HttpSettings;
import dev.lanes.server.config.GrpcSettings;
import dev.lanes.server.config.ManagementSettings;
import dev.lanes.server.config.ServerConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A real Lanes node on a free loopback port, and a plain HTTP/1.1 client for it. */
public final class ServerFixture implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** gRPC with its default settings on a port the system picks. */
    public static final GrpcSettings FREE_GRPC_PORT = GrpcSettings.DEFAULT.withPort(GrpcSettings.ANY_FREE_PORT);

    private final LanesServer server;
    /** One client for every scrape: a client per call leaves a keep-alive connection open on the node each time. */
    private static final HttpClient SCRAPER = HttpClient.newHttpClient();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ServerFixture(LanesServer server) {
        this.server = server;
    }

    public static ServerFixture start(Path repository, boolean strictReadiness) throws IOException {
        return start(repository, strictReadiness, 1L << 20, 1L << 20);
    }

    public static ServerFixture start(Path repository, boolean strictReadiness, long maxRequestSize,
                                      long maxTensorElements) throws IOException {
        return start(repository, strictReadiness, maxRequestSize, maxTensorElements, CacheSettings.defaults());
    }

    public static ServerFixture start(Path repository, boolean strictReadiness, long maxRequestSize,
                                      long maxTensorElements, CacheSettings cache) throws IOException {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, maxRequestSize, maxTensorElements, strictReadiness,
                repository, RuntimeSettings.defaults(), cache, DrainSettings.IMMEDIATE, ManagementSettings.DEFAULT,
                FREE_GRPC_PORT, HttpSettings.DEFAULT);
        return new ServerFixture(new LanesServer(config).start());
    }

    /** A node with the given model control mode and management token, other settings as above. */
    public static ServerFixture start(Path repository, ManagementSettings management) throws IOException {
        return start(repository, true, management);
    }

    public static ServerFixture start(Path repository, boolean strictReadiness, ManagementSettings management)
            throws IOException {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 1L << 20, 1L << 20, strictReadiness,
                repository, RuntimeSettings.defaults(), CacheSettings.defaults(), DrainSettings.IMMEDIATE, management,
                FREE_GRPC_PORT, HttpSettings.DEFAULT);
        return new ServerFixture(new LanesServer(config).start());
    }

    /** A node with other REST front-door limits (short timeouts, few connections), other settings as above. */
    public static ServerFixture start(Path repository, HttpSettings http) throws IOException {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 64L << 20, 1L << 20, true,
                repository, RuntimeSettings.defaults(), CacheSettings.defaults(), DrainSettings.IMMEDIATE,
                ManagementSettings.DEFAULT, FREE_GRPC_PORT, http);
        return new ServerFixture(new LanesServer(config).start());
    }

    public LanesServer server() {
        return server;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<byte[]> postBytes(String path, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Posts a binary-extension body: the JSON header, then the blobs, with its header length. */
    public HttpResponse<byte[]> postBinary(String path, String jsonHeader, byte[]... blobs)
            throws IOException, InterruptedException {
        return postBytes(path, BinaryRequests.body(jsonHeader, blobs),
                Map.of("Inference-Header-Content-Length", Integer.toString(BinaryRequests.headerLength(jsonHeader)),
                        "Content-Type", "application/octet-stream"));
    }

    public static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    /** The value of one Prometheus sample, or 0 when it is absent. */
    public double metric(String sample) throws IOException, InterruptedException {
        return metric(server.port(), sample);
    }

    /** The value of one Prometheus sample of the node on {@code port}, or 0 when it is absent. */
    public static double metric(int port, String sample) throws IOException, InterruptedException {
        String scrape = SCRAPER.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return scrape.lines().map(line -> line.replace(",}", "}"))
                .filter(line -> line.startsWith(sample + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElse(0);
    }

    @Override
    public void close() {
        server.close();
    }
}
