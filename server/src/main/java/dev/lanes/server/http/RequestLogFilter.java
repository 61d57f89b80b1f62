package dev.lanes.server.http;

import dev.lanes.server.log.AccessEntry;
import dev.lanes.server.log.AccessLog;
import dev.lanes.server.log.LogContext;
import dev.lanes.server.log.RequestIds;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Gives every REST request an id (the client's {@code X-Request-Id} when sane, else a new one),
 * echoes it in the response, keeps it in the {@link LogContext} of lines logged meanwhile, and
 * writes the access-log line once the answer is sent.
 */
public final class RequestLogFilter implements Filter {
    private static final HeaderName REQUEST_ID = HeaderNames.create(RequestIds.HEADER);

    private final AccessLog accessLog;

    public RequestLogFilter(AccessLog accessLog) {
        this.accessLog = accessLog;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        String id = RequestIds.accept(req.headers().first(REQUEST_ID).orElse(null));
        res.header(REQUEST_ID, id);
        LogContext.Scope scope = LogContext.newScope(id);
        try (LogContext.Binding bound = scope.bind()) {
            try {
                chain.proceed();
            } finally {
                if (accessLog.enabled()) {
                    accessLog.record(new AccessEntry("rest", req.prologue().method().text(), req.path().rawPath(),
                            Integer.toString(res.status().code()), System.nanoTime() - start, res.bytesWritten(), id,
                            scope.model()));
                }
            }
        }
    }
}
