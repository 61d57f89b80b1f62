package dev.lanes.benchmarks.load;

import com.google.protobuf.ByteString;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where and how requests go: a server's REST and gRPC ports, a protocol and a workload. Makes callers; for
 * gRPC it owns a few channels (HTTP/2 connections) that callers share round-robin, as a client
 * application with a small channel pool would.
 */
public final class Target implements CallerSource, AutoCloseable {
    private final InetSocketAddress address;
    private final Protocol protocol;
    private final Workload workload;
    private final byte[] httpRequest;
    private final ModelInferRequest grpcRequest;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final AtomicInteger nextChannel = new AtomicInteger();

    /**
     * @param restPort REST and /metrics, also used for gRPC requests' /metrics cross-check
     * @param grpcPort gRPC, used only when {@code protocol} is gRPC
     */
    public Target(String host, int restPort, int grpcPort, Protocol protocol, Workload workload, int grpcChannels) {
        this.address = new InetSocketAddress(host, restPort);
        this.protocol = protocol;
        this.workload = workload;
        String path = "/v2/models/" + workload.model() + "/infer";
        this.httpRequest = switch (protocol) {
            case REST_JSON -> HttpCaller.post(address, path, "application/json", -1, workload.jsonBody());
            case REST_BINARY -> HttpCaller.post(address, path, "application/octet-stream",
                    workload.binaryHeader().length, workload.binaryBody());
            case GRPC -> null;
        };
        if (protocol == Protocol.GRPC) {
            ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
                    .setName(workload.input()).setDatatype("FP32");
            for (long dim : workload.shape()) {
                tensor.addShape(dim);
            }
            grpcRequest = ModelInferRequest.newBuilder().setModelName(workload.model()).addInputs(tensor)
                    .addRawInputContents(ByteString.copyFrom(workload.littleEndianBytes())).build();
            for (int i = 0; i < Math.max(1, grpcChannels); i++) {
                // Callbacks run on the event loop that read the answer: the closed loop sends the
                // next request from there, with no thread to wake.
                channels.add(NettyChannelBuilder.forAddress(host, grpcPort).usePlaintext().directExecutor()
                        .maxInboundMessageSize(256 << 20).build());
            }
        } else {
            grpcRequest = null;
        }
    }

    public Protocol protocol() {
        return protocol;
    }

    public Workload workload() {
        return workload;
    }

    public String baseUrl() {
        return "http://" + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public String protocolLabel() {
        return protocol.label();
    }

    @Override
    public String model() {
        return workload.model();
    }

    @Override
    public Optional<String> metricsUrl() {
        return Optional.of(baseUrl());
    }

    @Override
    public Optional<AsyncCaller> asyncCaller() {
        if (protocol != Protocol.GRPC) {
            return Optional.empty();
        }
        return Optional.of(new GrpcAsyncCaller(channels, grpcRequest));
    }

    /** A caller for one thread: its own connection for REST, a share of the channels for gRPC. */
    @Override
    public Caller newCaller() {
        if (protocol == Protocol.GRPC) {
            return new GrpcCaller(channels.get(Math.floorMod(nextChannel.getAndIncrement(), channels.size())),
                    grpcRequest);
        }
        return new HttpCaller(address, httpRequest);
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
