package dev.lanes.server.http;

import dev.lanes.server.config.HttpSettings;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * The REST port's only connection selector: every connection is framed by Lanes
 * ({@link RequestFramer}) before Helidon's HTTP/1 parser sees it, and watched for late reads.
 * Installed as the listener's single selector, so Helidon hands over each accepted connection
 * before reading a byte of it (with more than one it would block reading, unwatched, to choose).
 */
public final class FrontDoor implements ServerConnectionSelector, AutoCloseable {
    /**
     * The refusals metered as {@code lanes_protocol_errors_total{protocol="rest"}}: the statuses the
     * front door answers a request's framing with, and connections Helidon dropped.
     */
    public static final List<String> REFUSALS = List.of("400", "408", "413", "414", "415", "431", "501", "505",
            "connection");
    private final HttpSettings settings;
    private final long maxBodyBytes;
    private final ServerConnectionSelector http1;
    private final IntConsumer refusals;
    private final ConnectionWatchdog watchdog = new ConnectionWatchdog();
    private final PortActivity activity = new PortActivity();

    /** @param refusals told the status of each request the front door refuses (for a meter) */
    public FrontDoor(HttpSettings settings, long maxBodyBytes, IntConsumer refusals) {
        this.settings = settings;
        this.maxBodyBytes = maxBodyBytes;
        this.refusals = refusals;
        Http1Config http1Config = Http1Config.builder()
                // The framer enforces the real limits; Helidon's only need room for what it adds.
                .maxPrologueLength(settings.maxRequestLine() + 64)
                .maxHeadersSize(settings.maxHeaderBytes() + 256)
                .addReceiveListener(new Http1ConnectionListener() {
                    @Override
                    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                        if (ctx instanceof FramedContext framed) {
                            framed.framer().checkPrologue();
                        }
                    }
                })
                .build();
        this.http1 = Http1ConnectionSelector.builder().config(http1Config).build();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData data) {
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of("http/1.1");
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        activity.touch();
        return new FrontDoorConnection(ctx, http1, settings, maxBodyBytes, watchdog, activity, refusals);
    }

    /**
     * How long no connection was accepted, no request byte read and no answer written, as of
     * {@code now} (a {@link System#nanoTime()} value).
     */
    public long stillForNanos(long now) {
        return activity.stillForNanos(now);
    }

    /** REST connections open now. */
    public int openConnections() {
        return watchdog.size();
    }

    @Override
    public void close() {
        watchdog.close();
    }
}
