package dev.lanes.server.http;

import io.helidon.http.Status;

import java.nio.charset.StandardCharsets;

/**
 * A request line checked by RFC 9112 §3: {@code method SP request-target SP HTTP-version}, one
 * space each, a token for the method, visible ASCII for the target.
 *
 * @param versionLength bytes of the version at the end of the line
 * @param http10        an HTTP/1.0 request (served as HTTP/1.1 that closes after the answer)
 * @param refusal       why the line is refused, or null
 * @param refusalStatus the status of that refusal
 */
record RequestLine(int versionLength, boolean http10, String refusal, Status refusalStatus) {
    static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_1_0 = "HTTP/1.0".getBytes(StandardCharsets.US_ASCII);

    static RequestLine parse(byte[] line, int length) {
        int firstSpace = indexOf(line, 0, length, (byte) ' ');
        int secondSpace = firstSpace < 0 ? -1 : indexOf(line, firstSpace + 1, length, (byte) ' ');
        if (firstSpace <= 0 || secondSpace < 0 || secondSpace == firstSpace + 1
                || indexOf(line, secondSpace + 1, length, (byte) ' ') >= 0) {
            return refused(Status.BAD_REQUEST_400, "a request line is: method, one space, target, one space, version");
        }
        for (int i = 0; i < firstSpace; i++) {
            if (!HeaderField.isTokenChar(line[i])) {
                return refused(Status.BAD_REQUEST_400, "the method must be a token");
            }
        }
        for (int i = firstSpace + 1; i < secondSpace; i++) {
            if (line[i] < 0x21 || line[i] > 0x7e) {
                return refused(Status.BAD_REQUEST_400, "the request target must be visible ASCII (percent-encode the rest)");
            }
            if (line[i] == '%' && (i + 2 >= secondSpace || !isHex(line[i + 1]) || !isHex(line[i + 2]))) {
                return refused(Status.BAD_REQUEST_400, "the request target has a '%' not followed by two hex digits");
            }
        }
        int versionStart = secondSpace + 1;
        int versionLength = length - versionStart;
        if (matches(line, versionStart, versionLength, HTTP_1_1)) {
            return new RequestLine(versionLength, false, null, null);
        }
        if (matches(line, versionStart, versionLength, HTTP_1_0)) {
            return new RequestLine(versionLength, true, null, null);
        }
        String version = new String(line, versionStart, versionLength, StandardCharsets.US_ASCII);
        if (version.matches("HTTP/[0-9]+(\\.[0-9]+)?")) {
            return refused(Status.HTTP_VERSION_NOT_SUPPORTED_505, line[versionStart + 5] == '2'
                    ? "HTTP/2 is not served on this port: it speaks HTTP/1.1; gRPC has a port of its own"
                    : "this port speaks HTTP/1.1 (and HTTP/1.0)");
        }
        return refused(Status.BAD_REQUEST_400, "the request line does not end with an HTTP version");
    }

    private static RequestLine refused(Status status, String why) {
        return new RequestLine(0, false, why, status);
    }

    private static boolean matches(byte[] line, int from, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (line[from + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(byte b) {
        return isDigit(b) || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int indexOf(byte[] bytes, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
