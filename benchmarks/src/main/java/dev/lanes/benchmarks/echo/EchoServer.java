package dev.lanes.benchmarks.echo;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import com.google.protobuf.ByteString;
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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The bare-transport baselines: Helidon with Lanes' connection settings, whose inference route
 * reads the whole request body and writes it back, and grpc-java's Netty server on virtual
 * threads (its default HTTP/2 settings), whose ModelInfer answers the request's raw inputs as raw
 * outputs, with no decoding and no model. What it sustains is the most any inference server on
 * this stack could answer with that payload, over REST and over gRPC.
 *
 * <p>Echoing sends the payload back, which an inference answer of a few bytes does not: a model
 * named {@link #smallAnswer(String) small-answer-NAME} gets the transport floor instead, the body
 * read whole and a fixed answer of one FP32 [1,2] output (what the cls model answers) in its place.
 *
 * <pre>java -cp benchmarks/target/lanes-benchmarks.jar:benchmarks/target/libs/* \
 *     dev.lanes.benchmarks.echo.EchoServer [REST_PORT [GRPC_PORT]]</pre>
 */
public final class EchoServer implements AutoCloseable {
    private static final HeaderName INFERENCE_HEADER_LENGTH = HeaderNames.create("Inference-Header-Content-Length");
    private static final String SMALL_ANSWER_PREFIX = "small-answer-";
    private static final byte[] SMALL_ANSWER_HEADER = ("{\"model_name\":\"small-answer\",\"outputs\":[{\"name\":\"y\","
            + "\"datatype\":\"FP32\",\"shape\":[1,2],\"parameters\":{\"binary_data_size\":8}}]}")
            .getBytes(StandardCharsets.US_ASCII);
    private static final int SMALL_ANSWER_DATA_BYTES = 8;

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

    /** The model name whose requests the echo server answers with a few bytes instead of echoing. */
    public static String smallAnswer(String model) {
        return SMALL_ANSWER_PREFIX + model;
    }

    private static boolean isSmallAnswer(String model) {
        return model.startsWith(SMALL_ANSWER_PREFIX);
    }

    private static void echo(ServerRequest req, ServerResponse res) throws IOException {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readAllBytes();
        }
        res.status(Status.OK_200);
        if (isSmallAnswer(req.path().pathParameters().get("model"))) {
            res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
            res.header(INFERENCE_HEADER_LENGTH, Integer.toString(SMALL_ANSWER_HEADER.length));
            res.header(HeaderNames.CONTENT_LENGTH, Integer.toString(SMALL_ANSWER_HEADER.length
                    + SMALL_ANSWER_DATA_BYTES));
            try (OutputStream out = res.outputStream()) {
                out.write(SMALL_ANSWER_HEADER);
                out.write(new byte[SMALL_ANSWER_DATA_BYTES]);
            }
            return;
        }
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
        private static final ByteString SMALL_ANSWER_RAW = ByteString.copyFrom(new byte[SMALL_ANSWER_DATA_BYTES]);

        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
            ModelInferResponse.Builder answer = ModelInferResponse.newBuilder().setModelName(request.getModelName());
            if (isSmallAnswer(request.getModelName())) {
                answer.addOutputsBuilder().setName("y").setDatatype("FP32").addShape(1).addShape(2);
                answer.addRawOutputContents(SMALL_ANSWER_RAW);
                response.onNext(answer.build());
                response.onCompleted();
                return;
            }
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
