package dev.lanes.server.grpc;

import dev.lanes.server.config.GrpcSettings;
import dev.lanes.server.log.AccessLog;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * gRPC on its own port through grpc-java's Netty server, the reference implementation: the
 * inference service, {@code grpc.health.v1} and server reflection (v1 and v1alpha, for older
 * clients such as Python's). Calls start on virtual threads; ModelInfer answers from its batch's
 * completion (GrpcInferenceService). Deadlines, cancellation, message and metadata limits, keepalive,
 * connection age and flow control are grpc-java's own.
 */
public final class GrpcEndpoint implements AutoCloseable {
    /** RST_STREAM frames a connection may send per window before it is closed (HTTP/2 rapid reset). */
    static final int MAX_RESETS_PER_WINDOW = 10_000;
    static final int RESET_WINDOW_SECONDS = 10;

    private final Server server;
    private final HealthStatusManager health;
    private final AtomicBoolean healthTerminal = new AtomicBoolean();
    private final ExecutorService calls;
    private final EventLoops loops;

    private GrpcEndpoint(Server server, HealthStatusManager health, ExecutorService calls, EventLoops loops) {
        this.server = server;
        this.health = health;
        this.calls = calls;
        this.loops = loops;
    }

    /**
     * Netty's event loops, sized by the node's CPUs rather than grpc-java's default of twice the
     * host's processors (on a large node without a CPU limit that is dozens of threads per pod).
     */
    private record EventLoops(EventLoopGroup accept, EventLoopGroup io, Class<? extends ServerChannel> channel) {
        static EventLoops create(int cpus) {
            if (Epoll.isAvailable()) {
                return new EventLoops(new EpollEventLoopGroup(1, new DefaultThreadFactory("lanes-grpc-accept", true)),
                        new EpollEventLoopGroup(cpus, new DefaultThreadFactory("lanes-grpc-io", true)),
                        EpollServerSocketChannel.class);
            }
            return new EventLoops(new NioEventLoopGroup(1, new DefaultThreadFactory("lanes-grpc-accept", true)),
                    new NioEventLoopGroup(cpus, new DefaultThreadFactory("lanes-grpc-io", true)),
                    NioServerSocketChannel.class);
        }

        void close() {
            accept.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Binds and starts the endpoint.
     *
     * @param maxMessageSize largest request message in bytes; larger ones are refused from their
     *                       length prefix with RESOURCE_EXHAUSTED, before they are read
     * @param cpus           the node's CPUs ({@code lanes.cpus}): the number of I/O threads
     * @param accessLog      where each inference-service call is logged, when enabled
     * @throws IOException when the port cannot be bound
     */
    public static GrpcEndpoint start(String host, GrpcSettings settings, long maxMessageSize, int cpus,
                                     AccessLog accessLog, GrpcInferenceService inference) throws IOException {
        int port = settings.port() == GrpcSettings.ANY_FREE_PORT ? 0 : settings.port();
        HealthStatusManager health = new HealthStatusManager();
        // HealthStatusManager starts SERVING; nothing is known to be ready until the node says so.
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        ExecutorService calls = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("lanes-grpc-", 0).factory());
        EventLoops loops = EventLoops.create(cpus);
        try {
            return start(NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .bossEventLoopGroup(loops.accept())
                    .workerEventLoopGroup(loops.io())
                    .channelType(loops.channel())
                    .executor(calls)
                    .addService(ServerInterceptors.intercept(MalformedRequests.lenient(inference.bindService()),
                            new BearerCredentials(), new GrpcRequestLog(accessLog)))
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .addService(legacyReflection())
                    .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, maxMessageSize))
                    .maxInboundMetadataSize(settings.maxHeaderListSize())
                    .flowControlWindow(settings.flowControlWindow())
                    .maxConcurrentCallsPerConnection(settings.maxConcurrentCallsPerConnection())
                    .keepAliveTime(settings.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                    .keepAliveTimeout(settings.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .permitKeepAliveTime(settings.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                    .permitKeepAliveWithoutCalls(settings.permitKeepAliveWithoutCalls())
                    .maxConnectionIdle(settings.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS)
                    .maxConnectionAge(settings.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
                    .maxConnectionAgeGrace(settings.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS)
                    .handshakeTimeout(settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .maxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS)
                    .build(), host, port, health, calls, loops);
        } catch (IOException | RuntimeException | Error e) {
            // nothing started may outlive a failed start
            calls.shutdownNow();
            loops.close();
            throw e;
        }
    }

    private static GrpcEndpoint start(Server server, String host, int port, HealthStatusManager health,
                                      ExecutorService calls, EventLoops loops) throws IOException {
        try {
            server.start();
        } catch (IOException e) {
            throw new IOException("cannot listen for gRPC on " + host + ":" + port + " (is the port in use?)", e);
        }
        return new GrpcEndpoint(server, health, calls, loops);
    }

    /** Python's grpcio reflection client and older grpcurl builds speak only v1alpha. */
    @SuppressWarnings("deprecation")
    private static BindableService legacyReflection() {
        return ProtoReflectionService.newInstance();
    }

    public int port() {
        return server.getPort();
    }

    /** What {@code grpc.health.v1} answers for the whole server and for {@code service}. */
    public void serving(boolean serving, String service) {
        ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        health.setStatus(service, status);
    }

    /**
     * Sends GOAWAY on every connection and closes the listener: no new calls, while calls already
     * open run on. Clients reconnect elsewhere.
     */
    public void stopAccepting() {
        enterTerminalHealth();
        server.shutdown();
    }

    /** Once only: a second call logs a WARNING with a stack trace ("Already terminating"). */
    private void enterTerminalHealth() {
        if (healthTerminal.compareAndSet(false, true)) {
            health.enterTerminalState();
        }
    }

    /** Cancels whatever is still open and stops. */
    @Override
    public void close() {
        enterTerminalHealth();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        calls.shutdownNow();
        loops.close();
    }
}
