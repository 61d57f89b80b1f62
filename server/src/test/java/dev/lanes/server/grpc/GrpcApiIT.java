package dev.lanes.server.grpc;

import com.google.protobuf.ByteString;
import dev.lanes.runtime.testing.OnnxModelWriter.Elem;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.grpc.proto.InferParameter;
import dev.lanes.server.grpc.proto.InferTensorContents;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import dev.lanes.server.grpc.proto.ModelMetadataRequest;
import dev.lanes.server.grpc.proto.ModelMetadataResponse;
import dev.lanes.server.grpc.proto.ModelReadyRequest;
import dev.lanes.server.grpc.proto.ServerLiveRequest;
import dev.lanes.server.grpc.proto.ServerMetadataRequest;
import dev.lanes.server.grpc.proto.ServerReadyRequest;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.InteropNode;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import dev.lanes.server.testing.SlowModelDepth;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rpc through a grpc-java client built from the same proto, and every error status. */
class GrpcApiIT {
    /** 64 rows of the slow model keep its one instance busy for about a second ({@link SlowModelDepth}). */
    private static final int SLOW_WIDTH = InteropNode.SLOW_WIDTH;

    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("affine", 1, TestModels.affine())
                    .model("mixed", 1, TestModels.mixed())
                    .model("echo_text", 1, TestModels.identity(Elem.STRING))
                    .model("slow", 1, TestModels.slow(SLOW_WIDTH, SlowModelDepth.forOneSecond(SLOW_WIDTH)))
                    .config("slow", InteropNode.SLOW_CONFIG)
                    .corrupt("broken", 1))
            .start(dir -> ServerFixture.start(dir, false, 1 << 20, 70_000));
    static GrpcClient client;

    private static ServerFixture server() {
        return node.server();
    }

    @BeforeAll
    static void start() throws Exception {
        client = new GrpcClient(server().server().grpcPort());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
    }

    @AfterEach
    void nodeStillServes() {
        assertTrue(client.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        ModelInferResponse response = client.blocking().modelInfer(affineRaw(new float[]{1, 2, 3, 4}).build());
        assertEquals("affine", response.getModelName());
    }

    private static ModelInferRequest.Builder affineRaw(float[] x) {
        return GrpcClient.rawRequest("affine", "x", "FP32", new long[]{x.length / 4, 4}, GrpcClient.floatBytes(x));
    }

    private static Status.Code code(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    /** A request carrying the field MalformedRequests once marked refusals with (as fixed32): served, not crashed. */
    @Test
    void requestWithTheRefusalMarksFieldNumber_isServedLikeAnyOther() {
        ServerLiveRequest sneaky = ServerLiveRequest.newBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet
                .newBuilder().addField(536_870_911, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                        .addFixed32(7).build()).build()).build();
        assertTrue(client.blocking().serverLive(sneaky).getLive());
    }

    @Test
    void modelInfer_refusedForAnOption_leavesNoBufferLeased() throws Exception {
        // Options are read before the inputs lease pooled buffers; a refused one must not keep them.
        var pool = server().server().repository().bufferPool();
        long before = pool.leasedBytes();
        ModelInferRequest request = GrpcClient.rawRequest("affine", "x", "FP32", new long[]{8, 4},
                new byte[8 * 4 * 4]).putParameters("timeout", InferParameter.newBuilder().setInt64Param(-1).build()).build();
        for (int i = 0; i < 5; i++) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> client.blocking().modelInfer(request));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        }
        assertEquals(before, pool.leasedBytes(), "pooled bytes still leased after refused calls");
    }

    @Test
    void healthMetadataAndReadiness_answerLikeTriton() {
        var stub = client.blocking();
        assertTrue(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        var metadata = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());
        assertEquals("lanes", metadata.getName());
        assertTrue(metadata.getExtensionsList().contains("binary_tensor_data"));

        assertTrue(stub.modelReady(ModelReadyRequest.newBuilder().setName("mixed").build()).getReady());
        assertTrue(stub.modelReady(ModelReadyRequest.newBuilder().setName("mixed").setVersion("1").build()).getReady());
        assertFalse(stub.modelReady(ModelReadyRequest.newBuilder().setName("broken").build()).getReady());
        assertEquals(Status.Code.NOT_FOUND,
                code(() -> stub.modelReady(ModelReadyRequest.newBuilder().setName("nope").build())));

        ModelMetadataResponse model = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("mixed").build());
        assertEquals(List.of("1"), model.getVersionsList());
        assertEquals("onnxruntime_onnx", model.getPlatform());
        assertEquals("a", model.getInputs(0).getName());
        assertEquals("INT32", model.getInputs(0).getDatatype());
        assertEquals(List.of(-1L, 3L), model.getInputs(0).getShapeList());
        assertEquals("positive", model.getOutputs(2).getName());
        assertEquals(Status.Code.NOT_FOUND,
                code(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("mixed").setVersion("9").build())));
    }

    @Test
    void modelInfer_typedContents_answersInRawOutputContents() {
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .setModelName("mixed").setId("typed-1")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("a").setDatatype("INT32")
                        .addShape(1).addShape(3)
                        .setContents(InferTensorContents.newBuilder().addIntContents(1).addIntContents(-7).addIntContents(3)))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("b").setDatatype("FP64")
                        .addShape(1).addShape(3)
                        .setContents(InferTensorContents.newBuilder().addFp64Contents(0.5).addFp64Contents(-2)
                                .addFp64Contents(0)))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("sum"))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("positive"))
                .build();

        ModelInferResponse response = client.blocking().modelInfer(request);
        assertEquals("mixed", response.getModelName());
        assertEquals("1", response.getModelVersion());
        assertEquals("typed-1", response.getId());
        assertEquals(2, response.getOutputsCount());
        assertEquals("sum", response.getOutputs(0).getName());
        assertEquals("FP64", response.getOutputs(0).getDatatype());
        assertEquals(List.of(1L, 3L), response.getOutputs(0).getShapeList());
        assertFalse(response.getOutputs(0).hasContents(), "outputs travel in raw_output_contents");
        double[] sum = new double[3];
        response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(sum);
        assertArrayEquals(new double[]{1.5, -9.0, 3.0}, sum);
        assertArrayEquals(new byte[]{1, 0, 0}, response.getRawOutputContents(1).toByteArray());
    }

    @Test
    void modelInfer_rawContents_matchesIndependentComputation() {
        float[] x = {1, 2, 3, 4, -1, 0.5f, 2, 0};
        ModelInferResponse response = client.blocking().modelInfer(affineRaw(x).build());
        float[] y = GrpcClient.floats(response.getRawOutputContents(0));
        double[] expected = TestModels.affineExpected(x);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], y[i], 1e-5);
        }
        assertEquals(List.of(2L, 3L), response.getOutputs(0).getShapeList());
        assertEquals("", response.getId());
    }

    @Test
    void modelInfer_invalidRequests_areInvalidArgumentOrNotFound() {
        var stub = client.blocking();
        assertEquals(Status.Code.NOT_FOUND, code(() -> stub.modelInfer(affineRaw(new float[4]).setModelName("nope").build())));
        assertEquals(Status.Code.NOT_FOUND, code(() -> stub.modelInfer(affineRaw(new float[4]).setModelVersion("3").build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.modelInfer(affineRaw(new float[4]).setModelVersion("x").build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.modelInfer(
                GrpcClient.rawRequest("affine", "x", "FP32", new long[]{1, 4}, new byte[12]).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.modelInfer(
                GrpcClient.rawRequest("affine", "x", "INT32", new long[]{1, 4}, new byte[16]).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.modelInfer(
                GrpcClient.rawRequest("affine", "x", "FP32", new long[]{1, 4}, new byte[16])
                        .addRawInputContents(ByteString.copyFrom(new byte[16])).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.modelInfer(affineRaw(new float[4])
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("q")).build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.modelInfer(affineRaw(new float[4])
                .putParameters("timeout", InferParameter.newBuilder().setStringParam("soon").build()).build())));
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(
                ModelInferRequest.newBuilder().setModelName("affine").build()));
        assertTrue(missing.getStatus().getDescription().contains("missing input 'x'"));
    }

    /** ONNX Runtime's Java API takes strings only: bytes that are no UTF-8 are refused, never altered. */
    @Test
    void bytesInputThatIsNotUtf8_isInvalidArgumentOnBothForms() {
        ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
                .setName("in").setDatatype("BYTES").addShape(1).addShape(1);
        ModelInferRequest typed = ModelInferRequest.newBuilder().setModelName("echo_text")
                .addInputs(tensor.clone().setContents(InferTensorContents.newBuilder()
                        .addBytesContents(ByteString.copyFrom(new byte[]{(byte) 0xff, (byte) 0xfe})))).build();
        ModelInferRequest raw = ModelInferRequest.newBuilder().setModelName("echo_text").addInputs(tensor)
                .addRawInputContents(ByteString.copyFrom(new byte[]{2, 0, 0, 0, (byte) 0xff, (byte) 0xfe})).build();
        for (ModelInferRequest request : List.of(typed, raw)) {
            StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                    () -> client.blocking().modelInfer(request));
            assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode());
            assertTrue(error.getStatus().getDescription().contains("not valid UTF-8"), error.getStatus().toString());
        }
    }

    @Test
    void modelInfer_overLimits_isResourceExhausted() {
        var stub = client.blocking();
        StatusRuntimeException elements = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(
                GrpcClient.rawRequest("affine", "x", "FP32", new long[]{20_000, 4}, new byte[16]).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, elements.getStatus().getCode());
        assertTrue(elements.getStatus().getDescription().contains("70000"), elements.getStatus().toString());

        StatusRuntimeException message = assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(
                GrpcClient.rawRequest("affine", "x", "FP32", new long[]{1, 4}, new byte[1536 * 1024]).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, message.getStatus().getCode(),
                "a message over lanes.server.max-request-size: " + message.getStatus());
        assertTrue(message.getStatus().getDescription().contains("maximum size 1048576"), message.getStatus().toString());
    }

    @Test
    void modelInfer_notReadyModel_isUnavailable() {
        assertEquals(Status.Code.UNAVAILABLE, code(() -> client.blocking().modelInfer(
                GrpcClient.rawRequest("broken", "x", "FP32", new long[]{1, 4}, new byte[16]).build())));
    }

    private static ModelInferRequest slow(int rows) {
        return GrpcClient.rawRequest("slow", "x", "FP32", new long[]{rows, SLOW_WIDTH},
                new byte[rows * SLOW_WIDTH * 4]).build();
    }

    /**
     * Three calls queue behind a running 64-row batch (the queue holds exactly 3) with a 300 ms
     * deadline: long enough that each surely reaches the queue on a busy machine, short against
     * the second the running batch takes. grpc-java cancels each call's context at its deadline
     * and the batcher drops it unrun.
     */
    @Test
    void modelInfer_deadlinePassesWhileQueued_isDroppedBeforeItRunsAndTheConnectionSurvives() throws Exception {
        awaitIdle("slow"); // nothing left running or queued by another test
        String batches = "inference_batch_size_count{model=\"slow\"}";
        String timeouts = "inference_queue_timeouts_total{model=\"slow\"}";
        double batchesBefore = server().metric(batches);
        double timeoutsBefore = server().metric(timeouts);
        var longCall = client.future().modelInfer(slow(64));
        awaitExecuting("slow");
        List<Future<Status.Code>> queued = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 3; i++) {
                queued.add(threads.submit(() ->
                        code(() -> client.blocking().withDeadlineAfter(300, TimeUnit.MILLISECONDS).modelInfer(slow(1)))));
            }
        }
        List<Status.Code> codes = new ArrayList<>();
        for (Future<Status.Code> call : queued) {
            codes.add(call.get());
        }
        assertEquals(List.of(Status.Code.DEADLINE_EXCEEDED, Status.Code.DEADLINE_EXCEEDED, Status.Code.DEADLINE_EXCEEDED),
                codes);
        assertEquals(64 * SLOW_WIDTH, longCall.get(60, TimeUnit.SECONDS).getRawOutputContents(0).size() / 4);
        awaitMetric(timeouts, timeoutsBefore + 3); // each once, by whichever took it out of the queue
        assertEquals(1, server().metric(batches) - batchesBefore, "only the request without a deadline ran");
        assertEquals(0, server().metric("inference_queue_length{model=\"slow\"}"), "the dropped calls left the queue");
    }

    @Test
    void modelInfer_cancelledWhileQueued_neverRunsAndFreesItsPlace() throws Exception {
        awaitIdle("slow"); // nothing left running or queued by another test
        String batches = "inference_batch_size_count{model=\"slow\"}";
        String cancelled = "inference_requests_total{model=\"slow\",outcome=\"cancelled\",protocol=\"grpc\"}";
        String queue = "inference_queue_length{model=\"slow\"}";
        double batchesBefore = server().metric(batches);
        double cancelledBefore = server().metric(cancelled);
        var longCall = client.future().modelInfer(slow(64));
        awaitExecuting("slow");
        var queuedCall = client.future().modelInfer(slow(1));
        awaitMetric(queue, 1);

        assertTrue(queuedCall.cancel(true), "the client cancels (RST_STREAM CANCEL)");

        awaitMetric(cancelled, cancelledBefore + 1);
        assertEquals(0, server().metric(queue), "the cancelled call left the queue at once");
        assertEquals(64 * SLOW_WIDTH, longCall.get(60, TimeUnit.SECONDS).getRawOutputContents(0).size() / 4);
        assertEquals(1, server().metric(batches) - batchesBefore, "the cancelled call never ran");
    }

    @Test
    void modelInfer_queueFull_isUnavailable() throws Exception {
        awaitIdle("slow"); // nothing left running or queued by another test
        List<Future<Status.Code>> calls = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 12; i++) {
                calls.add(threads.submit(() -> {
                    try {
                        client.blocking().modelInfer(slow(8));
                        return Status.Code.OK;
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                }));
            }
        }
        List<Status.Code> codes = new ArrayList<>();
        for (Future<Status.Code> call : calls) {
            codes.add(call.get());
        }
        assertTrue(codes.contains(Status.Code.UNAVAILABLE), codes.toString());
        assertTrue(codes.contains(Status.Code.OK), codes.toString());
        assertTrue(codes.stream().allMatch(c -> c == Status.Code.OK || c == Status.Code.UNAVAILABLE), codes.toString());
    }

    /** A thousand calls reset by their client while queued or running; the node and the channel carry on. */
    @Test
    void thousandCallsCancelledMidFlight_theNodeStillServesOnTheSameChannel() throws Exception {
        List<com.google.common.util.concurrent.ListenableFuture<ModelInferResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            calls.add(client.future().modelInfer(i % 10 == 0 ? slow(1) : affineRaw(new float[]{i, 1, 2, 3}).build()));
            if (i % 2 == 1) {
                calls.get(i - 1).cancel(true);
                calls.get(i).cancel(true);
            }
        }
        awaitMetric("inference_queue_length{model=\"slow\"}", 0, true);
        awaitMetric("inference_queue_length{model=\"affine\"}", 0, true);
        assertTrue(client.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        float[] x = {1, 2, 3, 4};
        float[] y = GrpcClient.floats(client.blocking().modelInfer(affineRaw(x).build()).getRawOutputContents(0));
        double[] expected = TestModels.affineExpected(x);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], y[i], 1e-5);
        }
    }

    @Test
    void unknownMethod_isUnimplemented() {
        Status.Code code = code(() -> rawCall("inference.GRPCInferenceService/NoSuchMethod", new byte[0]));
        assertEquals(Status.Code.UNIMPLEMENTED, code);
    }

    /** Sends {@code body} to {@code method} as is, bypassing protobuf on the client. */
    private static InputStream rawCall(String method, byte[] body) {
        MethodDescriptor<InputStream, InputStream> descriptor = MethodDescriptor.<InputStream, InputStream>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(method)
                .setRequestMarshaller(new RawMarshaller())
                .setResponseMarshaller(new RawMarshaller())
                .build();
        return ClientCalls.blockingUnaryCall(client.channel(), descriptor,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), new ByteArrayInputStream(body));
    }

    @Test
    void badProtobufBytes_areInvalidArgumentAndTheConnectionStaysUsable() {
        byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0x02, 0x0A, (byte) 0x80};
        StatusRuntimeException error = assertThrows(StatusRuntimeException.class,
                () -> rawCall("inference.GRPCInferenceService/ModelInfer", garbage));
        assertEquals(Status.Code.INVALID_ARGUMENT, error.getStatus().getCode(), error.getStatus().toString());
    }

    @Test
    void grpcHealth_reportsServingForTheServerAndTheInferenceService() {
        var health = HealthGrpc.newBlockingStub(client.channel());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                health.check(HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build()).getStatus());
    }

    @Test
    void reflection_listsTheInferenceAndHealthServices() throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(client.channel())
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        List<String> services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .map(service -> service.getName()).toList();
        requests.onCompleted();
        assertTrue(services.contains("inference.GRPCInferenceService"), services.toString());
        assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
    }

    @Test
    void grpcRequests_areCountedUnderProtocolGrpc() throws Exception {
        String success = "inference_requests_total{model=\"affine\",outcome=\"success\",protocol=\"grpc\"}";
        String notFound = "inference_requests_total{model=\"_unknown\",outcome=\"model_not_found\",protocol=\"grpc\"}";
        double before = server().metric(success);
        double notFoundBefore = server().metric(notFound);
        for (int i = 0; i < 5; i++) {
            client.blocking().modelInfer(affineRaw(new float[]{i, i, i, i}).build());
        }
        code(() -> client.blocking().modelInfer(affineRaw(new float[4]).setModelName("nope").build()));
        assertEquals(5, server().metric(success) - before);
        assertEquals(1, server().metric(notFound) - notFoundBefore);
    }

    private static void awaitIdle(String model) throws Exception {
        awaitMetric("inference_executing_requests{model=\"" + model + "\"}", 0, true);
        awaitMetric("inference_queue_length{model=\"" + model + "\"}", 0, true);
    }

    private static void awaitExecuting(String model) throws Exception {
        awaitMetric("inference_executing_requests{model=\"" + model + "\"}", 1);
    }

    /** Polls /metrics until the sample reaches {@code value}; gives up after 30 s. */
    private static void awaitMetric(String sample, double value) throws Exception {
        awaitMetric(sample, value, false);
    }

    /** As above; with {@code fall} until it is down to {@code value} instead. */
    private static void awaitMetric(String sample, double value, boolean fall) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (fall ? server().metric(sample) > value : server().metric(sample) < value) {
            if (System.nanoTime() > end) {
                throw new AssertionError(sample + " never reached " + value + ": " + server().metric(sample));
            }
            Thread.onSpinWait();
        }
    }

    /** Passes bytes through untouched, to send what no protobuf parser accepts. */
    private static final class RawMarshaller implements MethodDescriptor.Marshaller<InputStream> {
        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream;
        }
    }
}
