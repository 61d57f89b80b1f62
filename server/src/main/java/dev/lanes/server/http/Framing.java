package dev.lanes.server.http;

import io.helidon.http.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a request's body is delimited (RFC 9112 §6), from its Content-Length and Transfer-Encoding
 * fields. Anything two parties could read differently is refused: both fields, two lengths, a
 * length that is not plain digits, a transfer coding other than one final {@code chunked}.
 */
final class Framing {
    private static final int MAX_LENGTH_DIGITS = 18;

    private int contentLengthFields;
    private long length = -1;
    private boolean badLength;
    private final List<String> codings = new ArrayList<>(1);
    private boolean transferEncoding;
    private Status problemStatus = Status.BAD_REQUEST_400;

    void contentLength(String value) {
        contentLengthFields++;
        if (value.isEmpty() || value.length() > MAX_LENGTH_DIGITS) {
            badLength = true;
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                badLength = true;
                return;
            }
        }
        length = Long.parseLong(value);
    }

    void transferEncoding(String value) {
        transferEncoding = true;
        for (String coding : value.split(",")) {
            String trimmed = coding.trim().toLowerCase(Locale.ROOT);
            if (!trimmed.isEmpty()) {
                codings.add(trimmed);
            }
        }
    }

    /** The first content coding in a Content-Encoding value other than identity, or null when there is none. */
    static String contentCodingOtherThanIdentity(String value) {
        for (String coding : value.split(",")) {
            String trimmed = coding.trim();
            if (!trimmed.isEmpty() && !trimmed.equalsIgnoreCase("identity")) {
                return trimmed;
            }
        }
        return null;
    }

    /** Why the framing is refused, or null; {@link #problemStatus} is its status. */
    String problem(boolean http10, long maxBodyBytes) {
        if (transferEncoding) {
            if (http10) {
                return "Transfer-Encoding is not defined for HTTP/1.0";
            }
            if (contentLengthFields > 0) {
                return "a request may not carry both Content-Length and Transfer-Encoding";
            }
            if (codings.isEmpty() || !codings.getLast().equals("chunked")) {
                return "the final transfer coding of a request must be chunked";
            }
            if (codings.size() > 1) {
                problemStatus = Status.NOT_IMPLEMENTED_501;
                return "transfer coding " + codings.getFirst() + " is not supported; send the body as it is or chunked";
            }
            return null;
        }
        if (contentLengthFields > 1) {
            return "a request may carry one Content-Length field";
        }
        if (badLength) {
            return "Content-Length must be decimal digits";
        }
        if (length > maxBodyBytes) {
            problemStatus = Status.REQUEST_ENTITY_TOO_LARGE_413;
            return "the request body of " + length + " bytes is larger than " + maxBodyBytes + " bytes, the limit";
        }
        return null;
    }

    Status problemStatus() {
        return problemStatus;
    }

    boolean chunked() {
        return transferEncoding;
    }

    /** The declared length, or -1 when there is none (then the body is empty). */
    long length() {
        return length;
    }
}
