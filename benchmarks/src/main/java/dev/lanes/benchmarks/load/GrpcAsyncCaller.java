package dev.lanes.benchmarks.load;

import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** ModelInfer on the async stub, spread round-robin over the target's channels. */
final class GrpcAsyncCaller implements AsyncCaller {
    private final List<GRPCInferenceServiceGrpc.GRPCInferenceServiceStub> stubs;
    private final ModelInferRequest request;
    private final AtomicInteger next = new AtomicInteger();

    GrpcAsyncCaller(List<ManagedChannel> channels, ModelInferRequest request) {
        this.stubs = channels.stream().map(GRPCInferenceServiceGrpc::newStub).toList();
        this.request = request;
    }

    @Override
    public void call(Consumer<Outcome> done) {
        stubs.get(Math.floorMod(next.getAndIncrement(), stubs.size())).withDeadlineAfter(120, TimeUnit.SECONDS)
                .modelInfer(request, new StreamObserver<>() {
                    @Override
                    public void onNext(ModelInferResponse response) {
                        // the answer itself is not looked at
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.accept(GrpcCaller.outcome(io.grpc.Status.fromThrowable(error)));
                    }

                    @Override
                    public void onCompleted() {
                        done.accept(Outcome.OK);
                    }
                });
    }
}
