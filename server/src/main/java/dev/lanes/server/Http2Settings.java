package dev.lanes.server;

import io.helidon.webserver.http2.Http2Config;

/**
 * HTTP/2 settings that hold under concurrent gRPC load on one connection.
 *
 * <p>Helidon 4.5.0 replenishes the connection-level inbound window through a batching path that
 * several stream threads update without synchronisation ({@code WindowSizeImpl}'s
 * {@code delayedIncrement}, called from {@code Http2ServerStream}). Under concurrency it sends
 * WINDOW_UPDATE increments of 0 or credits bytes twice until the client's window overflows, and
 * grpc-java drops the connection. Helidon takes that path only when
 * {@code max-frame-size × 4 <= initial-window-size}; with a max frame size above a quarter of the
 * window every update is sent directly and the race cannot happen. A 1 MiB window with 1 MiB
 * frames passes 64 concurrent 110 KB calls and 256 concurrent small calls on one channel
 * ({@code GrpcFlowControlIT}).
 */
public final class Http2Settings {
    static final int INITIAL_WINDOW_SIZE = 1 << 20;
    static final int MAX_FRAME_SIZE = 1 << 20;

    private Http2Settings() {
    }

    public static Http2Config create() {
        return Http2Config.builder()
                .initialWindowSize(INITIAL_WINDOW_SIZE)
                .maxFrameSize(MAX_FRAME_SIZE)
                .build();
    }
}
