package dev.lanes.server.http;

import dev.lanes.server.config.HttpSettings;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Reads HTTP/1.1 requests off the socket by RFC 9112's rules and hands Helidon's HTTP/1 parser a
 * canonical copy, one section (a head, or a piece of one body) per pull. Lanes frames every
 * request itself, so what Helidon sees is exactly what a proxy in front of Lanes saw:
 * <ul>
 *   <li>a head is bounded in length, header count and time; bare LF, obsolete line folding,
 *       whitespace before a colon, two framings (Content-Length with Transfer-Encoding, or two
 *       Content-Lengths), unknown transfer codings and any content coding but identity (415: no
 *       body is ever inflated) are refused before Helidon sees them;</li>
 *   <li>chunked bodies are decoded here (chunk extensions ignored, trailer fields read and dropped,
 *       as RFC 9112 §7.1 allows) and re-encoded as plain chunks, which is all Helidon parses;</li>
 *   <li>HTTP/1.0 requests are passed on as HTTP/1.1 with {@code Connection: close};</li>
 *   <li>no body byte is handed over while Helidon reads a request line, and every prologue it
 *       parses must be a head this framer delivered ({@link #checkPrologue}), so bytes of a body
 *       are never run as a request, whatever a handler left unread.</li>
 * </ul>
 * Errors in a head are answered here and close the connection; errors in a body reach the handler
 * reading it as {@link RequestFramingException}; after either, every pull closes the connection.
 * Runs on the connection's thread only, except {@link ReadTimer}, shared with the watchdog.
 * One class of some 450 lines on purpose: heads, fixed bodies and chunks are sections of one state
 * machine over one raw buffer and one line reader; the checks of single lines live apart
 * ({@link RequestLine}, {@link HeaderField}, {@link Framing}, {@link ChunkLine}).
 */
final class RequestFramer implements Supplier<byte[]> {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] CRLF = {CR, LF};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_CHUNK_LINE = 4096;
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOST = "host".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_ENCODING = "content-encoding".getBytes(StandardCharsets.US_ASCII);
    /** RFC 6585; Helidon's Status has no constant for it. */
    private static final Status HEADERS_TOO_LARGE = Status.create(431, "Request Header Fields Too Large");
    /** RFC 9112 §2.2: empty lines before a request line are ignored; a few, not without end. */
    private static final int MAX_LEADING_EMPTY_LINES = 4;

    private enum Section { HEAD, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, CLOSED }

    /** Where refusals go: a refused head's answer is written (the connection closes after it); a broken body is counted. */
    interface Refusals {
        void answer(Status status, byte[] response);

        void bodyFailed(Status status);
    }

    /** What the framer needs to know of Helidon's parser and to tell the connection. */
    interface Reader {
        /** Whether Helidon is parsing a request line now. */
        boolean readingRequestLine();

        /** A request head is being handed over. */
        void newRequest();
    }

    private final Supplier<byte[]> socket;
    private final HttpSettings limits;
    private final long maxBodyBytes;
    private final ReadTimer timer;
    private final Refusals refusals;
    private final Reader reader;

    private byte[] raw = EMPTY;
    private int pos;
    private byte[] line = new byte[256];
    private int lineLength;
    /** When the head being read started (nanoTime), or -1 before its first byte. */
    private long headStart = -1;

    private Section section = Section.HEAD;
    private boolean bodyDeliveredLast;
    private long remaining;
    private long bodyBytes;
    private byte[] pendingPiece;
    private boolean pieceEndDue;
    private int headsDelivered;
    private int prologuesSeen;

    RequestFramer(Supplier<byte[]> socket, HttpSettings limits, long maxBodyBytes, ReadTimer timer,
                  Refusals refusals, Reader reader) {
        this.socket = socket;
        this.limits = limits;
        this.maxBodyBytes = maxBodyBytes;
        this.timer = timer;
        this.refusals = refusals;
        this.reader = reader;
    }

    @Override
    public byte[] get() {
        if (section != Section.HEAD && section != Section.CLOSED && reader.readingRequestLine()) {
            // Helidon wants a request line while a body is unread: it answered without reading the
            // body and without closing (an early answer to Expect: 100-continue, a handler's
            // exception). Those bytes are the client's body, never a request: close.
            section = Section.CLOSED;
            throw new CloseConnectionException("a request line was asked for inside a request body");
        }
        return switch (section) {
            case HEAD -> head();
            case FIXED_BODY -> fixedBody();
            case CHUNK_SIZE -> chunkSize();
            case CHUNK_DATA -> chunkData();
            case CHUNK_END -> chunkEnd();
            case CLOSED -> throw new CloseConnectionException("the connection's framing already failed");
        };
    }

    /**
     * Called as Helidon parses a request line: it must come from the last head delivered, else
     * Helidon is reading a body as a request (a handler answered without reading it and without
     * closing), which is request smuggling: close instead.
     */
    void checkPrologue() {
        prologuesSeen++;
        if (bodyDeliveredLast || prologuesSeen != headsDelivered) {
            section = Section.CLOSED;
            throw new CloseConnectionException("a request line was parsed from outside a request head");
        }
    }

    /** Request heads handed to Helidon so far. */
    int headsDelivered() {
        return headsDelivered;
    }

    // ---- heads

    private byte[] head() {
        // A pipelined request already buffered starts now; otherwise when its first byte arrives.
        headStart = pos < raw.length ? System.nanoTime() : -1;
        int emptyLines = 0;
        while (true) {
            readLine(true, limits.maxRequestLine(), Status.REQUEST_URI_TOO_LONG_414, "request line");
            if (lineLength > 0) {
                break;
            }
            if (++emptyLines > MAX_LEADING_EMPTY_LINES) {
                throw refuse(Status.BAD_REQUEST_400, "empty lines where a request line belongs");
            }
        }
        RequestLine requestLine = RequestLine.parse(line, lineLength);
        if (requestLine.refusal() != null) {
            throw refuse(requestLine.refusalStatus(), requestLine.refusal());
        }
        ByteArrayOutputStream head = new ByteArrayOutputStream(lineLength + 512);
        head.write(line, 0, lineLength - requestLine.versionLength());
        head.writeBytes(RequestLine.HTTP_1_1);
        head.writeBytes(CRLF);

        Framing framing = new Framing();
        int headerBytes = 0;
        int headerCount = 0;
        int hosts = 0;
        while (true) {
            readLine(true, limits.maxHeaderBytes(), HEADERS_TOO_LARGE, "header field");
            if (lineLength == 0) {
                break;
            }
            headerBytes += lineLength + 2;
            if (headerBytes > limits.maxHeaderBytes()) {
                throw refuse(HEADERS_TOO_LARGE,
                        "the request's header fields are larger than " + limits.maxHeaderBytes() + " bytes");
            }
            if (++headerCount > limits.maxHeaderCount()) {
                throw refuse(HEADERS_TOO_LARGE,
                        "the request has more than " + limits.maxHeaderCount() + " header fields");
            }
            int colon = HeaderField.nameEnd(line, lineLength);
            if (colon < 0) {
                throw refuse(Status.BAD_REQUEST_400, HeaderField.problem(line, lineLength));
            }
            String valueProblem = HeaderField.valueProblem(line, colon + 1, lineLength);
            if (valueProblem != null) {
                throw refuse(Status.BAD_REQUEST_400, "header field "
                        + new String(line, 0, colon, StandardCharsets.US_ASCII) + ": " + valueProblem);
            }
            if (HeaderField.nameIs(line, colon, CONTENT_LENGTH)) {
                framing.contentLength(HeaderField.value(line, colon + 1, lineLength));
            } else if (HeaderField.nameIs(line, colon, TRANSFER_ENCODING)) {
                framing.transferEncoding(HeaderField.value(line, colon + 1, lineLength));
            } else if (HeaderField.nameIs(line, colon, CONTENT_ENCODING)) {
                // No body is inflated here (no compression bomb); identity is dropped, as Helidon refuses any coding.
                String coding = Framing.contentCodingOtherThanIdentity(HeaderField.value(line, colon + 1, lineLength));
                if (coding != null) {
                    throw refuse(Status.UNSUPPORTED_MEDIA_TYPE_415, "content coding '" + coding
                            + "' is not supported: send the body unencoded");
                }
            } else {
                if (HeaderField.nameIs(line, colon, HOST)) {
                    hosts++;
                }
                head.write(line, 0, lineLength);
                head.writeBytes(CRLF);
            }
        }
        if (hosts > 1 || (hosts == 0 && !requestLine.http10())) {
            throw refuse(Status.BAD_REQUEST_400, "an HTTP/1.1 request carries exactly one Host header field");
        }
        String framingProblem = framing.problem(requestLine.http10(), maxBodyBytes);
        if (framingProblem != null) {
            throw refuse(framing.problemStatus(), framingProblem);
        }
        if (framing.chunked()) {
            head.writeBytes("Transfer-Encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII));
            section = Section.CHUNK_SIZE;
            bodyBytes = 0;
        } else if (framing.length() > 0) {
            head.writeBytes(("Content-Length: " + framing.length() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            section = Section.FIXED_BODY;
            remaining = framing.length();
        } else {
            if (framing.length() == 0) {
                head.writeBytes("Content-Length: 0\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            section = Section.HEAD;
        }
        if (requestLine.http10()) {
            // An HTTP/1.0 client reads to the end of the connection; Lanes' answers carry a length.
            head.writeBytes("Connection: close\r\n".getBytes(StandardCharsets.US_ASCII));
            if (hosts == 0) {
                head.writeBytes("Host: localhost\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        head.writeBytes(CRLF);
        headsDelivered++;
        bodyDeliveredLast = false;
        reader.newRequest();
        return head.toByteArray();
    }

    /**
     * Reads one line into {@code line[0..lineLength)}, without its CRLF, from a head (refusals are
     * answered here, reads wait under the head's deadline) or a body (errors go to the handler).
     */
    private void readLine(boolean inHead, int max, Status tooLong, String what) {
        lineLength = 0;
        while (true) {
            if (pos == raw.length) {
                if (inHead) {
                    fillHead();
                } else {
                    ensureBodyBytes("the body ended inside a " + what);
                }
            }
            int lf = indexOf(raw, pos, LF);
            int end = lf < 0 ? raw.length : lf;
            int count = end - pos;
            if (lineLength + count > max + 1) { // + 1: the CR
                throw framingError(inHead, tooLong, "the " + what + " is longer than " + max + " bytes");
            }
            append(raw, pos, count);
            pos = end;
            if (lf >= 0) {
                pos++;
                if (lineLength == 0 || line[lineLength - 1] != CR) {
                    throw framingError(inHead, Status.BAD_REQUEST_400, "lines must end with CRLF, not a bare LF");
                }
                lineLength--;
                return;
            }
        }
    }

    private RuntimeException framingError(boolean inHead, Status status, String message) {
        return inHead ? refuse(status, message) : bodyError(status, message);
    }

    private void fillHead() {
        long now = System.nanoTime();
        if (headStart < 0) {
            Duration wait = headsDelivered == 0 ? limits.headerTimeout() : limits.idleTimeout();
            timer.await(ReadTimer.Phase.IDLE, now + wait.toNanos());
        } else {
            timer.await(ReadTimer.Phase.HEAD, headStart + limits.headerTimeout().toNanos());
        }
        byte[] next = read();
        if (next == null) {
            section = Section.CLOSED;
            throw new CloseConnectionException("the client closed the connection");
        }
        raw = next;
        pos = 0;
        if (headStart < 0) {
            // a connection's first request counts from the accept; a later one from its first byte
            headStart = headsDelivered == 0 ? now : System.nanoTime();
        }
    }

    private RuntimeException refuse(Status status, String message) {
        section = Section.CLOSED;
        refusals.answer(status, DirectResponse.error(status, message));
        return new CloseConnectionException("refused a request head: " + message);
    }

    // ---- bodies

    private byte[] fixedBody() {
        ensureBodyBytes("the body ended before its Content-Length");
        int count = (int) Math.min(raw.length - pos, remaining);
        byte[] piece = take(count);
        remaining -= count;
        if (remaining == 0) {
            section = Section.HEAD;
        }
        bodyDeliveredLast = true;
        return piece;
    }

    private byte[] chunkSize() {
        readLine(false, MAX_CHUNK_LINE, Status.BAD_REQUEST_400, "chunk size line");
        long size = ChunkLine.size(line, lineLength);
        if (size < 0) {
            throw bodyError(Status.BAD_REQUEST_400, "a chunk size must be hexadecimal digits, optionally followed "
                    + "by ;extensions");
        }
        if (bodyBytes + size > maxBodyBytes) {
            throw bodyError(Status.REQUEST_ENTITY_TOO_LARGE_413,
                    "the chunked body is larger than " + maxBodyBytes + " bytes, the limit");
        }
        bodyDeliveredLast = true;
        if (size == 0) {
            skipTrailers();
            section = Section.HEAD;
            return LAST_CHUNK;
        }
        bodyBytes += size;
        remaining = size;
        section = Section.CHUNK_DATA;
        return chunkData();
    }

    /**
     * Each piece of a chunk that arrives is handed over as a chunk of its own (size line, data,
     * CRLF: three pulls), so Helidon never holds a whole declared chunk, which may be the body.
     */
    private byte[] chunkData() {
        bodyDeliveredLast = true;
        if (pendingPiece != null) {
            byte[] piece = pendingPiece;
            pendingPiece = null;
            pieceEndDue = true;
            return piece;
        }
        if (pieceEndDue) {
            pieceEndDue = false;
            if (remaining == 0) {
                section = Section.CHUNK_END;
            }
            return CRLF;
        }
        ensureBodyBytes("the body ended inside a chunk");
        int count = (int) Math.min(raw.length - pos, remaining);
        pendingPiece = take(count);
        remaining -= count;
        return (Integer.toHexString(count) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] chunkEnd() {
        readLine(false, 2, Status.BAD_REQUEST_400, "chunk end");
        if (lineLength != 0) {
            throw bodyError(Status.BAD_REQUEST_400, "a chunk's data must be followed by CRLF");
        }
        section = Section.CHUNK_SIZE;
        return chunkSize();
    }

    /** Trailer fields are legal (RFC 9112 §7.1.2); Lanes uses none, so they are read, bounded and dropped. */
    private void skipTrailers() {
        int bytes = 0;
        while (true) {
            readLine(false, limits.maxHeaderBytes(), Status.BAD_REQUEST_400, "trailer field");
            if (lineLength == 0) {
                return;
            }
            bytes += lineLength + 2;
            if (bytes > limits.maxHeaderBytes() || HeaderField.nameEnd(line, lineLength) < 0
                    || HeaderField.valueProblem(line, HeaderField.nameEnd(line, lineLength) + 1, lineLength) != null) {
                throw bodyError(Status.BAD_REQUEST_400, "the chunked body's trailer fields are malformed or larger than "
                        + limits.maxHeaderBytes() + " bytes");
            }
        }
    }

    private void ensureBodyBytes(String endedEarly) {
        if (pos < raw.length) {
            return;
        }
        timer.await(ReadTimer.Phase.BODY, System.nanoTime() + limits.bodyTimeout().toNanos());
        byte[] next = read();
        if (next == null) {
            throw bodyError(Status.BAD_REQUEST_400, endedEarly);
        }
        raw = next;
        pos = 0;
    }

    private RequestFramingException bodyError(Status status, String message) {
        section = Section.CLOSED;
        refusals.bodyFailed(status);
        return new RequestFramingException(status, message);
    }

    // ---- raw bytes

    /** One blocking read; closes when the watchdog took the connection meanwhile. */
    private byte[] read() {
        byte[] next;
        try {
            next = socket.get();
        } catch (RuntimeException e) {
            if (timer.expired()) {
                section = Section.CLOSED;
                throw new CloseConnectionException("the read timed out", e);
            }
            throw e;
        }
        if (!timer.resume()) {
            section = Section.CLOSED;
            throw new CloseConnectionException("the read timed out");
        }
        return next;
    }

    /** The next {@code count} raw bytes, without a copy when they are the whole read. */
    private byte[] take(int count) {
        if (pos == 0 && count == raw.length) {
            pos = count;
            return raw;
        }
        byte[] piece = Arrays.copyOfRange(raw, pos, pos + count);
        pos += count;
        return piece;
    }

    private void append(byte[] source, int from, int count) {
        if (lineLength + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
        }
        System.arraycopy(source, from, line, lineLength, count);
        lineLength += count;
    }

    private static int indexOf(byte[] bytes, int from, byte value) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
