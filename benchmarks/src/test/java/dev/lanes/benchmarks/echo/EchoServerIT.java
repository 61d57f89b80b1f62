package dev.lanes.benchmarks.echo;

import dev.lanes.benchmarks.load.ClosedLoop;
import dev.lanes.benchmarks.load.LoadResult;
import dev.lanes.benchmarks.load.Protocol;
import dev.lanes.benchmarks.load.Target;
import dev.lanes.benchmarks.load.Workload;
import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bare-transport baseline answers every protocol the generator speaks. */
class EchoServerIT {
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void answersEveryRequest(Protocol protocol) throws Exception {
        try (EchoServer echo = EchoServer.start("127.0.0.1", 0, 0);
             Target target = new Target("127.0.0.1", echo.port(), echo.grpcPort(), protocol,
                     Workload.random("m", "x", 1, 64), 1)) {
            LoadResult result = new ClosedLoop(2, Duration.ofMillis(100), Duration.ofMillis(200), 3, 0.10)
                    .run(target, "echo", OptionalLong.empty(), false);
            assertTrue(result.counts().ok() > 0);
            assertEquals(0, result.counts().errors() + result.counts().rejected(), () -> result.errorReasons().toString());
            assertNull(result.check(), "the echo route has no /metrics to compare with");
        }
    }

    @Test
    void grpcEchoAnswersTheRawInputsAsRawOutputs() throws Exception {
        try (EchoServer echo = EchoServer.start("127.0.0.1", 0, 0)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", echo.grpcPort()).usePlaintext().build();
            try {
                ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("m")
                        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("UINT8")
                                .addShape(7))
                        .addRawInputContents(com.google.protobuf.ByteString.copyFromUtf8("payload")).build();
                var response = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request);
                assertEquals("m", response.getModelName());
                assertEquals("x", response.getOutputs(0).getName());
                assertEquals(java.util.List.of(7L), response.getOutputs(0).getShapeList());
                assertEquals("payload", response.getRawOutputContents(0).toStringUtf8());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void smallAnswerReadsTheBodyAndAnswersAFewBytesOverRest() throws Exception {
        try (EchoServer echo = EchoServer.start("127.0.0.1", 0, 0)) {
            Workload workload = Workload.random(EchoServer.smallAnswer("m"), "x", 1, 4096);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + echo.port() + "/v2/models/" + workload.model() + "/infer"))
                    .header("Inference-Header-Content-Length", Integer.toString(workload.binaryHeader().length))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(workload.binaryBody())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            int headerLength = Integer.parseInt(response.headers().firstValue("Inference-Header-Content-Length")
                    .orElseThrow());
            String header = new String(response.body(), 0, headerLength, StandardCharsets.US_ASCII);
            assertTrue(header.contains("\"shape\":[1,2]"), header);
            assertEquals(headerLength + 8, response.body().length, "a JSON header and one FP32 [1,2] output");
        }
    }

    @Test
    void smallAnswerOverGrpcIsOneFp32Pair() throws Exception {
        try (EchoServer echo = EchoServer.start("127.0.0.1", 0, 0)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", echo.grpcPort()).usePlaintext().build();
            try {
                ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(EchoServer.smallAnswer("m"))
                        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("UINT8")
                                .addShape(4096))
                        .addRawInputContents(com.google.protobuf.ByteString.copyFrom(new byte[4096])).build();
                var response = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request);
                assertEquals(java.util.List.of(1L, 2L), response.getOutputs(0).getShapeList());
                assertEquals(8, response.getRawOutputContents(0).size());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
