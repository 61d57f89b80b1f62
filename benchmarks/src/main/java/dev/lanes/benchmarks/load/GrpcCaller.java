package dev.lanes.benchmarks.load;

import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.TimeUnit;

/** One blocking ModelInfer call at a time on a shared channel. */
final class GrpcCaller implements Caller {
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
    private final ModelInferRequest request;

    GrpcCaller(ManagedChannel channel, ModelInferRequest request) {
        this.stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        this.request = request;
    }

    @Override
    public Outcome call() {
        try {
            stub.withDeadlineAfter(120, TimeUnit.SECONDS).modelInfer(request);
            return Outcome.OK;
        } catch (StatusRuntimeException e) {
            return outcome(e.getStatus());
        }
    }

    /** UNAVAILABLE from the server is its overload answer; a client-side transport failure carries its cause. */
    static Outcome outcome(Status status) {
        if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() == null) {
            return Outcome.REJECTED;
        }
        return Outcome.error(status.getCode() + (status.getDescription() == null ? "" : " " + status.getDescription()));
    }

    @Override
    public void close() {
        // the channel belongs to the Target
    }
}
