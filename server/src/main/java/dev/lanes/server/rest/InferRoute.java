package dev.lanes.server.rest;

import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.Cancellation;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.batch.RequestOptions;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.server.InferenceService;
import dev.lanes.server.ManagementAccess;
import dev.lanes.server.log.LogContext;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@code POST /v2/models/{model}[/versions/{version}]/infer}: bounds the body, decodes it (JSON or
 * Triton's binary extension) once the service has the version, and writes the answer with its
 * Content-Length. The service does the rest; this is REST's half of the exchange.
 */
final class InferRoute {
    static final HeaderName INFERENCE_HEADER_LENGTH = HeaderNames.create("Inference-Header-Content-Length");
    /**
     * Unread request bodies up to this size are drained to keep the connection; larger ones close
     * it. Measured at three times cls capacity (110 KB bodies): draining refused requests kept
     * 1280 answers/s against 890/s when every refusal closed, the reconnects costing more than the
     * reads; a body of megabytes costs more to drain than a reconnect.
     */
    static final long DRAIN_LIMIT = 1 << 20;
    private static final String PROTOCOL = "rest";

    private final InferenceService inference;
    private final ManagementAccess access;
    private final InferRequestDecoder decoder;
    private final long maxRequestSize;

    InferRoute(InferenceService inference, ManagementAccess access, InferRequestDecoder decoder, long maxRequestSize) {
        this.inference = inference;
        this.access = access;
        this.decoder = decoder;
        this.maxRequestSize = maxRequestSize;
    }

    void infer(ServerRequest req, ServerResponse res) {
        String model = req.path().pathParameters().get("model");
        LogContext.model(model);
        try {
            access.checkInference(V2Routes.authorization(req));
            inference.infer(PROTOCOL, model, V2Routes.versionParameter(req), new InferenceService.Exchange<InferRequest>() {
                @Override
                public InferRequest decode(ModelVersion version) throws Exception {
                    return decodeBody(req, version);
                }

                @Override
                public InferenceService.InferCall call(InferRequest request) {
                    return new InferenceService.InferCall(request.inputs(), new RequestOptions(request.outputNames(),
                            request.timeoutMicros(), Long.MAX_VALUE, Cancellation.NONE), request.cacheBypass());
                }

                @Override
                public void answer(ModelVersion version, InferRequest request, InferenceResult result) throws Exception {
                    send(res, InferResponseEncoder.encode(version.model(), version.version(), request,
                            result.outputs()));
                }
            });
        } catch (Exception e) {
            if (e instanceof InferenceException && !req.content().consumed()
                    && req.headers().contentLength().orElse(-1) > DRAIN_LIMIT) {
                // Refused before reading a body of megabytes: closing costs less than draining it.
                res.header(HeaderValues.CONNECTION_CLOSE);
            }
            RestErrors.answer(res, e, "inference on " + model);
        }
    }

    private InferRequest decodeBody(ServerRequest req, ModelVersion version) throws IOException {
        long bodyLength = req.headers().contentLength().orElse(-1);
        if (bodyLength > maxRequestSize) {
            throw InferenceException.tooLarge("request body of %d bytes is larger than %d bytes, the limit",
                    bodyLength, maxRequestSize);
        }
        long headerLength = headerLength(req, bodyLength);
        try (InputStream body = new LimitedInputStream(req.content().inputStream(), maxRequestSize)) {
            return decoder.decode(body, headerLength, bodyLength, version.signature());
        }
    }

    private static void send(ServerResponse res, InferResponseEncoder.Encoded encoded) throws Exception {
        res.status(Status.OK_200);
        if (encoded.hasBinary()) {
            res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
            res.header(INFERENCE_HEADER_LENGTH, Integer.toString(encoded.header().length));
        } else {
            res.header(HeaderValues.CONTENT_TYPE_JSON);
        }
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(encoded.contentLength()));
        try (OutputStream out = res.outputStream()) {
            encoded.writeTo(out);
        }
    }

    private long headerLength(ServerRequest req, long bodyLength) {
        if (!req.headers().contains(INFERENCE_HEADER_LENGTH)) {
            return -1;
        }
        String text = req.headers().get(INFERENCE_HEADER_LENGTH).get();
        long length;
        try {
            length = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw InferenceException.invalidInput("Inference-Header-Content-Length must be an integer, got '%s'", text);
        }
        if (length < 0 || (bodyLength >= 0 && length > bodyLength) || length > maxRequestSize) {
            throw InferenceException.invalidInput("Inference-Header-Content-Length %d does not fit the body", length);
        }
        return length;
    }
}
