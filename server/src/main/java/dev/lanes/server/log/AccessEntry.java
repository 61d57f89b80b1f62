package dev.lanes.server.log;

/**
 * One access-log line: what a request asked and how it was answered.
 *
 * @param protocol  {@code rest} or {@code grpc}
 * @param method    the HTTP method, or {@code POST} for gRPC
 * @param path      the request path, or the gRPC method's full name
 * @param status    the HTTP status code, or the gRPC status code's name
 * @param nanos     from the request's arrival to its answer
 * @param bytes     response bytes written (REST), or -1 when unknown (gRPC)
 * @param requestId the request's id
 * @param model     the model addressed, or null
 */
public record AccessEntry(String protocol, String method, String path, String status, long nanos, long bytes,
                          String requestId, String model) {
    /** Longest path or model name kept: the fields come from the client. */
    static final int MAX_FIELD = 256;

    /** Client-given fields are bounded and cannot break a line (control characters become '?'). */
    public AccessEntry {
        path = LogText.clean(path, MAX_FIELD);
        model = LogText.clean(model, MAX_FIELD);
    }

    /** The text form, as the plain log format prints the line. */
    @Override
    public String toString() {
        return text();
    }

    /** {@code GET /v2/health/ready 200 0.412 ms 0 B id=... model=...}. */
    public String text() {
        return method + " " + path + " " + status + " " + String.format("%.3f", nanos / 1e6) + " ms "
                + (bytes < 0 ? "-" : bytes + " B") + " id=" + requestId + (model == null ? "" : " model=" + model);
    }
}
