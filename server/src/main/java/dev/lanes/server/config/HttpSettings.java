package dev.lanes.server.config;

import io.helidon.config.Config;

import java.time.Duration;

/**
 * The REST port's front door: how much of a request head Lanes reads, how long it waits for each
 * part, and how many connections it holds. Every value is bounded here, so a typo fails the start
 * with the key's name.
 *
 * @param maxRequestLine  longest request line, bytes (longer: 414)
 * @param maxHeaderBytes  largest header section, bytes, and for trailers of a chunked body (larger: 431)
 * @param maxHeaderCount  most header fields in one request (more: 431)
 * @param headerTimeout   a request head must arrive whole within this, counted from its first byte
 *                        (or from the accept for a connection's first request); else 408 and close
 * @param bodyTimeout     a request body may pause this long between two reads; else 408 and close
 * @param idleTimeout     a keep-alive connection with no request for this long is closed; keep it
 *                        above the idle timeout of the load balancer in front (AWS ALB: 60 s)
 * @param maxConnections  connections the port holds at once; further ones wait in the kernel's
 *                        accept queue until one closes
 */
public record HttpSettings(int maxRequestLine,
                           int maxHeaderBytes,
                           int maxHeaderCount,
                           Duration headerTimeout,
                           Duration bodyTimeout,
                           Duration idleTimeout,
                           int maxConnections) {
    public static final HttpSettings DEFAULT = new HttpSettings(8 << 10, 16 << 10, 100,
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(75), 2048);

    public HttpSettings {
        Bounds.within(ConfigKeys.HTTP_MAX_REQUEST_LINE, maxRequestLine, 256, 1 << 20);
        Bounds.within(ConfigKeys.HTTP_MAX_HEADER_SIZE, maxHeaderBytes, 1 << 10, 1 << 20);
        Bounds.within(ConfigKeys.HTTP_MAX_HEADER_COUNT, maxHeaderCount, 8, 10_000);
        Bounds.within(ConfigKeys.HTTP_HEADER_TIMEOUT, headerTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
        Bounds.within(ConfigKeys.HTTP_BODY_TIMEOUT, bodyTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
        Bounds.within(ConfigKeys.HTTP_IDLE_TIMEOUT, idleTimeout, Duration.ofMillis(100), Duration.ofDays(1));
        Bounds.within(ConfigKeys.HTTP_MAX_CONNECTIONS, maxConnections, 1, 1_000_000);
    }

    /** The same settings with other timeouts (tests shorten them). */
    public HttpSettings withTimeouts(Duration header, Duration body, Duration idle) {
        return new HttpSettings(maxRequestLine, maxHeaderBytes, maxHeaderCount, header, body, idle, maxConnections);
    }

    /** The same settings with another connection bound. */
    public HttpSettings withMaxConnections(int connections) {
        return new HttpSettings(maxRequestLine, maxHeaderBytes, maxHeaderCount, headerTimeout, bodyTimeout,
                idleTimeout, connections);
    }

    static HttpSettings create(Config config) {
        HttpSettings d = DEFAULT;
        return new HttpSettings(
                config.get(ConfigKeys.HTTP_MAX_REQUEST_LINE).asInt().orElse(d.maxRequestLine()),
                config.get(ConfigKeys.HTTP_MAX_HEADER_SIZE).asInt().orElse(d.maxHeaderBytes()),
                config.get(ConfigKeys.HTTP_MAX_HEADER_COUNT).asInt().orElse(d.maxHeaderCount()),
                config.get(ConfigKeys.HTTP_HEADER_TIMEOUT).as(Duration.class).orElse(d.headerTimeout()),
                config.get(ConfigKeys.HTTP_BODY_TIMEOUT).as(Duration.class).orElse(d.bodyTimeout()),
                config.get(ConfigKeys.HTTP_IDLE_TIMEOUT).as(Duration.class).orElse(d.idleTimeout()),
                config.get(ConfigKeys.HTTP_MAX_CONNECTIONS).asInt().orElse(d.maxConnections()));
    }
}
