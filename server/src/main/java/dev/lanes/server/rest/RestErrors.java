package dev.lanes.server.rest;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.server.ErrorMapping;
import dev.lanes.server.http.RequestFramingException;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The failures REST handlers throw go through here and leave as ErrorMapping decides: the JSON
 * error answer with its status and headers, a framing error's answer that closes, nothing at all
 * when the connection is already gone. Only a defect of the node's own is logged above FINE.
 */
final class RestErrors {
    private static final Logger LOG = Logger.getLogger(RestErrors.class.getName());

    private RestErrors() {
    }

    /** @param what what was being served, for the log */
    static void answer(ServerResponse res, Throwable error, String what) {
        if (error instanceof CloseConnectionException close) {
            throw close; // the front door answered or the socket is gone: Helidon closes it quietly
        }
        ErrorKind kind = ErrorMapping.kindOf(error);
        if (kind == ErrorKind.RUNTIME_FAILURE) {
            // an ORT failure is the model's (WARNING); anything else is a defect here (SEVERE)
            LOG.log(error instanceof InferenceException ? Level.WARNING : Level.SEVERE, what + " failed", error);
        } else if (!(error instanceof InferenceException)) {
            LOG.log(Level.FINE, "reading or writing the exchange for " + what + " failed", error);
        }
        if (res.isSent()) {
            return; // it broke while the answer was written: the client may not be there to read more
        }
        if (error instanceof RequestFramingException framing) {
            JsonResponses.sendFramingError(res, framing);
        } else {
            JsonResponses.sendError(res, error);
        }
    }
}
