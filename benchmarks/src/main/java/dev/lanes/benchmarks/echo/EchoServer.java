package dev.lanes.benchmarks.echo;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import io.grpc.stub.StreamObserver;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The bare-transport baseline: Helidon with Lanes' connection settings, whose inference route
 * reads the whole request body and writes it back, and grpc-java's Netty server on virtual
 * threads (its default HTTP/2 settings), whose ModelInfer answers the request's raw inputs as raw outputs, with no decoding and no
 * model. What it sustains is the most any inference server on this stack could answer with that
 * payload, over REST and over gRPC.
 *
 * <pre>java -cp benchmarks/target/lanes-benchmarks.jar:benchmarks/target/libs/* \
 *     dev.lanes.benchmarks.echo.EchoServer [REST_PORT [GRPC_PORT]]</pre>
 */
public final class EchoServer implements AutoCloseable {
    private static final HeaderName INFERENCE_HEADER_LENGTH = HeaderNames.create("Inference-Header-Content-Length");

    private final WebServer server;
    private final Server grpc;

    private EchoServer(WebServer server, Server grpc) {
        this.server = server;
        this.grpc = grpc;
    }

    /** Port 0 picks a free port, for either. */
    public static EchoServer start(String host, int port, int grpcPort) throws IOException {
        Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress(host, grpcPort))
                .executor(Executors.newVirtualThreadPerTaskExecutor()) // as Lanes
                .maxInboundMessageSize(256 << 20)
                .addService(new GrpcEcho())
                .build()
                .start();
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
        return new EchoServer(server, grpc);
    }

    public int port() {
        return server.port();
    }

    public int grpcPort() {
        return grpc.getPort();
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

    /** ModelInfer received whole and answered with its own raw inputs as raw outputs. */
    private static final class GrpcEcho extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
            ModelInferResponse.Builder answer = ModelInferResponse.newBuilder().setModelName(request.getModelName());
            for (ModelInferRequest.InferInputTensor input : request.getInputsList()) {
                answer.addOutputsBuilder().setName(input.getName()).setDatatype(input.getDatatype())
                        .addAllShape(input.getShapeList());
            }
            answer.addAllRawOutputContents(request.getRawInputContentsList());
            response.onNext(answer.build());
            response.onCompleted();
        }
    }

    @Override
    public void close() {
        grpc.shutdownNow();
        server.stop();
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
        int grpcPort = args.length > 1 ? Integer.parseInt(args[1]) : 8001;
        EchoServer echo = start("127.0.0.1", port, grpcPort);
        System.out.println("echo listening on 127.0.0.1:" + echo.port() + " (REST), " + echo.grpcPort() + " (gRPC)");
        Thread.currentThread().join();
    }
}
