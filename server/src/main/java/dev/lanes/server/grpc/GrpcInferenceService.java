package dev.lanes.server.grpc;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.batch.RequestOptions;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.repository.IndexEntry;
import dev.lanes.runtime.repository.Model;
import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.runtime.repository.ModelState;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.runtime.tensor.DirectBufferPool;
import dev.lanes.server.ErrorMapping;
import dev.lanes.server.InferenceService;
import dev.lanes.server.NodeState;
import dev.lanes.server.ManagementAccess;
import dev.lanes.server.RepositoryControl;
import dev.lanes.server.Statistics;
import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.grpc.proto.ModelConfigRequest;
import dev.lanes.server.grpc.proto.ModelConfigResponse;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelMetadataRequest;
import dev.lanes.server.grpc.proto.ModelMetadataResponse;
import dev.lanes.server.grpc.proto.ModelReadyRequest;
import dev.lanes.server.grpc.proto.ModelReadyResponse;
import dev.lanes.server.grpc.proto.ModelStatisticsRequest;
import dev.lanes.server.grpc.proto.ModelRepositoryParameter;
import dev.lanes.server.grpc.proto.RepositoryIndexRequest;
import dev.lanes.server.grpc.proto.RepositoryIndexResponse;
import dev.lanes.server.grpc.proto.RepositoryModelLoadRequest;
import dev.lanes.server.grpc.proto.RepositoryModelLoadResponse;
import dev.lanes.server.grpc.proto.RepositoryModelUnloadRequest;
import dev.lanes.server.grpc.proto.RepositoryModelUnloadResponse;
import dev.lanes.server.grpc.proto.ModelStatisticsResponse;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import dev.lanes.server.grpc.proto.ServerLiveRequest;
import dev.lanes.server.grpc.proto.ServerLiveResponse;
import dev.lanes.server.grpc.proto.ServerMetadataRequest;
import dev.lanes.server.grpc.proto.ServerMetadataResponse;
import dev.lanes.server.grpc.proto.ServerReadyRequest;
import dev.lanes.server.grpc.proto.ServerReadyResponse;
import dev.lanes.server.log.LogContext;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code inference.GRPCInferenceService}: the Open Inference Protocol over gRPC, sharing the
 * inference service, batchers and meters with REST, so gRPC and REST requests share batches. A call's
 * deadline and cancellation reach the batcher, which drops the request if it is still queued.
 */
public final class GrpcInferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private static final Logger LOG = Logger.getLogger(GrpcInferenceService.class.getName());
    private static final String PROTOCOL = "grpc";

    private final ModelRepository repository;
    private final NodeState state;
    private final InferenceService inference;
    private final GrpcTensors tensors;
    private final ServerMetadataResponse serverMetadata;
    private final Statistics statistics;
    private final RepositoryControl repositoryControl;
    private final ManagementAccess access;

    public GrpcInferenceService(ModelRepository repository, NodeState state, InferenceService inference,
                                RepositoryControl repositoryControl, ManagementAccess access,
                                DirectBufferPool pool, long maxTensorElements, String name, String version,
                                List<String> extensions) {
        this.repository = repository;
        this.state = state;
        this.inference = inference;
        this.repositoryControl = repositoryControl;
        this.access = access;
        this.tensors = new GrpcTensors(pool, maxTensorElements);
        this.statistics = new Statistics(repository);
        this.serverMetadata = ServerMetadataResponse.newBuilder()
                .setName(name).setVersion(version).addAllExtensions(extensions).build();
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
        reply(response, ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
        reply(response, ServerReadyResponse.newBuilder().setReady(state.ready()).build());
    }

    /** Unknown models are NOT_FOUND (as Triton answers); known but not serving is ready=false. */
    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
        boolean ready;
        try {
            inference.resolve(request.getName(), request.getVersion());
            ready = true;
        } catch (InferenceException e) {
            if (e.kind() != ErrorKind.MODEL_NOT_READY) {
                response.onError(ErrorMapping.grpcError(e));
                return;
            }
            ready = false;
        }
        reply(response, ModelReadyResponse.newBuilder().setReady(ready).build());
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> response) {
        reply(response, serverMetadata);
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
        answer(response, () -> {
            ModelVersion version = inference.resolve(request.getName(), request.getVersion());
            Model model = repository.model(version.model()).orElseThrow();
            ModelSignature signature = version.signature();
            ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder()
                    .setName(model.name())
                    .setPlatform("onnxruntime_onnx");
            model.readyVersions().forEach(ready -> metadata.addVersions(Long.toString(ready.version())));
            signature.inputs().forEach(spec -> metadata.addInputs(tensor(spec, signature)));
            signature.outputs().forEach(spec -> metadata.addOutputs(tensor(spec, signature)));
            return metadata.build();
        });
    }

    /** What a unary rpc answers, or the error it fails with. */
    @FunctionalInterface
    private interface Answer<T> {
        T get();
    }

    /** Sends what {@code answer} builds; an InferenceException becomes its gRPC status (ErrorMapping). */
    private static <T> void answer(StreamObserver<T> response, Answer<T> answer) {
        T message;
        try {
            message = answer.get();
        } catch (InferenceException e) {
            response.onError(ErrorMapping.grpcError(e));
            return;
        }
        reply(response, message);
    }

    private static ModelMetadataResponse.TensorMetadata tensor(TensorSpec spec, ModelSignature signature) {
        ModelMetadataResponse.TensorMetadata.Builder tensor = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(spec.name())
                .setDatatype(spec.dataType().name());
        for (long dim : signature.publicShape(spec)) {
            tensor.addShape(dim);
        }
        return tensor.build();
    }

    @Override
    public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> response) {
        answer(response, () -> ModelConfigResponse.newBuilder()
                .setConfig(inference.resolve(request.getName(), request.getVersion()).effectiveConfig()).build());
    }

    @Override
    public void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> response) {
        answer(response, () -> statistics.of(request.getName(), request.getVersion()));
    }

    /** Triton's repository index; the repository name is not considered (Lanes serves one). */
    @Override
    public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> response) {
        RepositoryIndexResponse.Builder index = RepositoryIndexResponse.newBuilder();
        for (IndexEntry entry : repository.index()) {
            if (!request.getReady() || entry.state() == ModelState.READY) {
                index.addModels(RepositoryIndexResponse.ModelIndex.newBuilder().setName(entry.name())
                        .setVersion(entry.version()).setState(entry.state().name()).setReason(entry.reason()));
            }
        }
        reply(response, index.build());
    }

    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest request,
                                    StreamObserver<RepositoryModelLoadResponse> response) {
        answer(response, () -> {
            access.checkManagement(BearerCredentials.AUTHORIZATION.get());
            Map<String, String> parameters = new LinkedHashMap<>();
            request.getParametersMap().forEach((name, value) -> parameters.put(name,
                    value.getParameterChoiceCase() == ModelRepositoryParameter.ParameterChoiceCase.STRING_PARAM
                            ? value.getStringParam() : null));
            repositoryControl.load(request.getModelName(), parameters);
            return RepositoryModelLoadResponse.getDefaultInstance();
        });
    }

    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest request,
                                      StreamObserver<RepositoryModelUnloadResponse> response) {
        answer(response, () -> {
            access.checkManagement(BearerCredentials.AUTHORIZATION.get());
            repositoryControl.unload(request.getModelName());
            return RepositoryModelUnloadResponse.getDefaultInstance();
        });
    }

    /**
     * Decodes on the call's virtual thread, then answers from the batch's completion: the thread
     * that finished the batch encodes and sends this call's rows, and no thread waits meanwhile
     * (docs/benchmarks.md measures both ways).
     */
    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
        ServerCallStreamObserver<ModelInferResponse> call = (ServerCallStreamObserver<ModelInferResponse>) response;
        call.setOnCancelHandler(() -> { }); // a cancelled call's answer is dropped, not an error
        Context context = Context.current();
        LogContext.model(request.getModelName());
        try {
            access.checkInference(BearerCredentials.AUTHORIZATION.get());
        } catch (InferenceException e) {
            call.onError(ErrorMapping.grpcError(e));
            return;
        }
        inference.inferAsync(PROTOCOL, request.getModelName(), request.getModelVersion(),
                new InferenceService.Exchange<InferenceService.InferCall>() {
                    @Override
                    public InferenceService.InferCall decode(ModelVersion version) {
                        // Options first: they may be refused, and nothing is leased yet. The inputs
                        // lease pooled buffers; the service owns them from here on, whatever happens.
                        var outputs = GrpcTensors.requestedOutputs(request);
                        long timeout = GrpcTensors.timeoutMicros(request);
                        boolean bypass = GrpcTensors.cacheBypass(request);
                        RequestOptions options = new RequestOptions(outputs, timeout, CallContext.deadlineNanos(context),
                                CallContext.cancellation(context));
                        return new InferenceService.InferCall(tensors.inputs(request, version.signature()), options,
                                bypass);
                    }

                    @Override
                    public InferenceService.InferCall call(InferenceService.InferCall decoded) {
                        return decoded;
                    }

                    @Override
                    public void answer(ModelVersion version, InferenceService.InferCall decoded, InferenceResult result) {
                        if (!call.isCancelled()) {
                            reply(call, GrpcTensors.response(version.model(), version.version(), request.getId(),
                                    result.outputs()));
                        }
                    }
                }).whenComplete((ignored, error) -> {
            if (error != null) {
                fail(call, request.getModelName(), InferenceService.unwrap(error));
            }
        });
    }

    private static void fail(ServerCallStreamObserver<ModelInferResponse> call, String model, Throwable error) {
        if (ErrorMapping.kindOf(error) == ErrorKind.RUNTIME_FAILURE) {
            // an ORT failure is the model's (WARNING); anything else is a defect here (SEVERE)
            LOG.log(error instanceof InferenceException ? Level.WARNING : Level.SEVERE,
                    "inference on " + model + " failed", error);
        }
        if (!call.isCancelled()) {
            call.onError(ErrorMapping.grpcError(error));
        }
    }

    private static <T> void reply(StreamObserver<T> observer, T message) {
        observer.onNext(message);
        observer.onCompleted();
    }
}
