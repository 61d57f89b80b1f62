package dev.lanes.server.config;

import io.helidon.config.Config;

import java.time.Duration;

/**
 * The gRPC endpoint (grpc-java's Netty server on its own port). Every value is bounded here, so a
 * typo fails the start with the key's name instead of making an unusable node.
 *
 * @param port                            listen port; {@link #DISABLED} turns gRPC off and
 *                                        {@link #ANY_FREE_PORT} (tests only) lets the system choose
 * @param keepAliveTime                   the server pings a connection quiet for this long, to find dead peers
 * @param keepAliveTimeout                and closes it when the ping is not answered within this
 * @param permitKeepAliveTime             clients may ping this often; faster pings get GOAWAY
 *                                        (ENHANCE_YOUR_CALM), as every gRPC server does
 * @param permitKeepAliveWithoutCalls     clients may ping while no call is open
 * @param maxConnectionIdle               a connection with no call for this long is closed (GOAWAY)
 * @param maxConnectionAge                a connection older than this gets GOAWAY, so long-lived
 *                                        clients reconnect and spread over new pods (±10 % jitter)
 * @param maxConnectionAgeGrace           calls open at that GOAWAY get this long to finish
 * @param flowControlWindow               HTTP/2 flow-control window per stream and connection, bytes
 * @param maxConcurrentCallsPerConnection HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS
 * @param maxHeaderListSize               largest metadata (HTTP/2 header list) a call may carry, bytes
 * @param handshakeTimeout                a connection must finish the HTTP/2 preface within this
 */
public record GrpcSettings(int port,
                           Duration keepAliveTime,
                           Duration keepAliveTimeout,
                           Duration permitKeepAliveTime,
                           boolean permitKeepAliveWithoutCalls,
                           Duration maxConnectionIdle,
                           Duration maxConnectionAge,
                           Duration maxConnectionAgeGrace,
                           int flowControlWindow,
                           int maxConcurrentCallsPerConnection,
                           int maxHeaderListSize,
                           Duration handshakeTimeout) {
    public static final int DISABLED = 0;
    /** Lets the system pick a free port; not reachable from configuration, where 0 means off. */
    public static final int ANY_FREE_PORT = -1;
    private static final Duration DAY = Duration.ofDays(1); // before DEFAULT, which the bounds check

    public static final GrpcSettings DEFAULT = new GrpcSettings(8001,
            Duration.ofMinutes(1), Duration.ofSeconds(20),
            Duration.ofSeconds(10), true,
            Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofSeconds(30),
            1 << 20, 1024, 8 << 10, Duration.ofSeconds(10));

    public GrpcSettings {
        if (port < ANY_FREE_PORT || port > 65535) {
            throw invalidPort(port);
        }
        Bounds.within(ConfigKeys.GRPC_KEEP_ALIVE_TIME, keepAliveTime, Duration.ofSeconds(1), DAY);
        Bounds.within(ConfigKeys.GRPC_KEEP_ALIVE_TIMEOUT, keepAliveTimeout, Duration.ofSeconds(1), Duration.ofMinutes(10));
        Bounds.within(ConfigKeys.GRPC_PERMIT_KEEP_ALIVE_TIME, permitKeepAliveTime, Duration.ofSeconds(1), DAY);
        Bounds.within(ConfigKeys.GRPC_MAX_CONNECTION_IDLE, maxConnectionIdle, Duration.ofSeconds(1), DAY);
        Bounds.within(ConfigKeys.GRPC_MAX_CONNECTION_AGE, maxConnectionAge, Duration.ofSeconds(1), DAY);
        Bounds.within(ConfigKeys.GRPC_MAX_CONNECTION_AGE_GRACE, maxConnectionAgeGrace, Duration.ZERO, Duration.ofHours(1));
        Bounds.within(ConfigKeys.GRPC_HANDSHAKE_TIMEOUT, handshakeTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        Bounds.within(ConfigKeys.GRPC_FLOW_CONTROL_WINDOW, flowControlWindow, 64 << 10, 64 << 20);
        Bounds.within(ConfigKeys.GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION, maxConcurrentCallsPerConnection, 1, 100_000);
        Bounds.within(ConfigKeys.GRPC_MAX_HEADER_LIST_SIZE, maxHeaderListSize, 1 << 10, 1 << 20);
    }

    public boolean enabled() {
        return port != DISABLED;
    }

    /** The same settings on another port. */
    public GrpcSettings withPort(int newPort) {
        return new GrpcSettings(newPort, keepAliveTime, keepAliveTimeout, permitKeepAliveTime,
                permitKeepAliveWithoutCalls, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace,
                flowControlWindow, maxConcurrentCallsPerConnection, maxHeaderListSize, handshakeTimeout);
    }

    static GrpcSettings create(Config config) {
        GrpcSettings d = DEFAULT;
        int port = config.get(ConfigKeys.GRPC_PORT).asInt().orElse(d.port());
        if (port == ANY_FREE_PORT) {
            throw invalidPort(port); // the record allows it for tests; configuration does not
        }
        return new GrpcSettings(port,
                duration(config, ConfigKeys.GRPC_KEEP_ALIVE_TIME, d.keepAliveTime()),
                duration(config, ConfigKeys.GRPC_KEEP_ALIVE_TIMEOUT, d.keepAliveTimeout()),
                duration(config, ConfigKeys.GRPC_PERMIT_KEEP_ALIVE_TIME, d.permitKeepAliveTime()),
                config.get(ConfigKeys.GRPC_PERMIT_KEEP_ALIVE_WITHOUT_CALLS).asBoolean()
                        .orElse(d.permitKeepAliveWithoutCalls()),
                duration(config, ConfigKeys.GRPC_MAX_CONNECTION_IDLE, d.maxConnectionIdle()),
                duration(config, ConfigKeys.GRPC_MAX_CONNECTION_AGE, d.maxConnectionAge()),
                duration(config, ConfigKeys.GRPC_MAX_CONNECTION_AGE_GRACE, d.maxConnectionAgeGrace()),
                config.get(ConfigKeys.GRPC_FLOW_CONTROL_WINDOW).asInt().orElse(d.flowControlWindow()),
                config.get(ConfigKeys.GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION).asInt()
                        .orElse(d.maxConcurrentCallsPerConnection()),
                config.get(ConfigKeys.GRPC_MAX_HEADER_LIST_SIZE).asInt().orElse(d.maxHeaderListSize()),
                duration(config, ConfigKeys.GRPC_HANDSHAKE_TIMEOUT, d.handshakeTimeout()));
    }

    private static IllegalArgumentException invalidPort(int port) {
        return new IllegalArgumentException(ConfigKeys.GRPC_PORT + " must be 0 (off) or 1..65535, got " + port);
    }

    private static Duration duration(Config config, String key, Duration fallback) {
        return config.get(key).as(Duration.class).orElse(fallback);
    }
}
