package dev.lanes.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

import java.util.function.BooleanSupplier;

/**
 * Makes {@code Connection: close} true. Helidon only writes the header: after such an answer it
 * skips reading the rest of the body and goes on parsing the connection, so a refused request's
 * body would be read as the next request, and a client's own {@code Connection: close} would not
 * end its connection. Here every answer that says close (the client asked, a handler refused a
 * large body, the node drains) really closes once it is sent, and so does an early answer to a
 * request that expected {@code 100-continue}: its client may still send the body it held back.
 */
public final class HttpCloseFilter implements Filter {
    private final BooleanSupplier draining;
    private final long drainLimit;

    /**
     * @param draining   whether the node drains: then every answer says close, so clients stop reusing connections
     * @param drainLimit an unread body up to this many bytes is read before closing: closing a socket
     *                   with unread bytes makes Linux answer RST, which can destroy the answer just sent
     */
    public HttpCloseFilter(BooleanSupplier draining, long drainLimit) {
        this.draining = draining;
        this.drainLimit = drainLimit;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (draining.getAsBoolean()) {
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        chain.proceed();
        boolean unread = req.content().hasEntity() && !req.content().consumed();
        if (unread && req.headers().containsToken(HeaderValues.EXPECT_100)) {
            throw new CloseConnectionException("answered before a body held back for 100-continue");
        }
        if (req.headers().containsToken(HeaderValues.CONNECTION_CLOSE)
                || res.headers().containsToken(HeaderValues.CONNECTION_CLOSE)) {
            long length = req.headers().contentLength().orElse(-1);
            if (unread && length >= 0 && length <= drainLimit) {
                req.content().consume();
            }
            throw new CloseConnectionException("the answer said Connection: close");
        }
    }
}
