package dev.lanes.benchmarks.echo;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import dev.lanes.server.Http2Settings;
import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import io.grpc.stub.StreamObserver;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The bare-transport baseline: a Helidon server with Lanes' connection and HTTP/2 settings whose
 * inference route reads the whole request body and writes it back, and whose gRPC ModelInfer
 * receives the whole request and answers with an empty response, with no decoding and no model.
 * What it sustains is the most any inference server on this web stack could answer with that
 * payload, over REST and over gRPC.
 *
 * <p>The gRPC answer is empty rather than the payload because Helidon 4.5.0 sends a 110 KB gRPC
 * answer slowly (about 4 ms each: 215 calls/s at concurrency 1 for PaddleOCR cls images), which
 * would measure a path Lanes' small inference answers never take.
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
                .addProtocol(Http2Settings.create())
                .addProtocol(GrpcConfig.builder().maxReadBufferSize(256 << 20).build())
                .routing(routing -> routing
                        .post("/v2/models/{model}/infer", EchoServer::echo)
                        .get("/v2/health/ready", (req, res) -> res.send()))
                .addRouting(GrpcRouting.builder().service(new GrpcEcho()))
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

    /** ModelInfer received whole and answered with the model name only. */
    private static final class GrpcEcho extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
            response.onNext(ModelInferResponse.newBuilder().setModelName(request.getModelName()).build());
            response.onCompleted();
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
