package dev.lanes.benchmarks.echo;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The bare-transport baseline: a Helidon server with Lanes' connection settings whose inference
 * route reads the whole request body and writes it back, with no decoding and no model. What it
 * sustains is the most any inference server on this web stack could answer with that payload.
 *
 * <pre>java -cp benchmarks/target/lanes-benchmarks.jar:benchmarks/target/libs/* \
 *     dev.lanes.benchmarks.echo.EchoServer [PORT]</pre>
 */
public final class EchoServer implements AutoCloseable {
    private static final HeaderName INFERENCE_HEADER_LENGTH = HeaderNames.create("Inference-Header-Content-Length");

    private final WebServer server;

    private EchoServer(WebServer server) {
        this.server = server;
    }

    public static EchoServer start(String host, int port) {
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .shutdownHook(false)
                // as Lanes: small answers must not wait for Nagle's algorithm
                .connectionOptions(options -> options.tcpNoDelay(true))
                .routing(routing -> routing
                        .post("/v2/models/{model}/infer", EchoServer::echo)
                        .get("/v2/health/ready", (req, res) -> res.send()))
                .build()
                .start();
        return new EchoServer(server);
    }

    public int port() {
        return server.port();
    }

    private static void echo(ServerRequest req, ServerResponse res) throws IOException {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readAllBytes();
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, req.headers().contentType().map(type -> type.text())
                .orElse("application/octet-stream"));
        req.headers().first(INFERENCE_HEADER_LENGTH).ifPresent(length -> res.header(INFERENCE_HEADER_LENGTH, length));
        res.header(HeaderNames.CONTENT_LENGTH, Integer.toString(body.length));
        try (OutputStream out = res.outputStream()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8001;
        EchoServer echo = start("127.0.0.1", port);
        System.out.println("echo listening on 127.0.0.1:" + echo.port());
        Thread.currentThread().join();
    }
}
