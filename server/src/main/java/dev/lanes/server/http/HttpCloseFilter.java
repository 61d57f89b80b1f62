package dev.lanes.server.http;

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
 * large body, or the node drains) really closes once it is sent.
 */
public final class HttpCloseFilter implements Filter {
    private final BooleanSupplier draining;

    /** @param draining whether the node drains: then every answer says close, so clients stop reusing connections */
    public HttpCloseFilter(BooleanSupplier draining) {
        this.draining = draining;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (draining.getAsBoolean()) {
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        chain.proceed();
        if (req.headers().containsToken(HeaderValues.CONNECTION_CLOSE)
                || res.headers().containsToken(HeaderValues.CONNECTION_CLOSE)) {
            throw new CloseConnectionException("the answer said Connection: close");
        }
    }
}
