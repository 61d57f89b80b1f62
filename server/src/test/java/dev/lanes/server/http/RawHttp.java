package dev.lanes.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A raw TCP client for requests no HTTP library would send: it writes bytes as given and reads
 * what comes back until the server closes (or a read waits longer than the timeout).
 */
final class RawHttp {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    /** What came back: the bytes, and whether the server closed the connection (else it stayed open). */
    record Reply(String text, boolean closed) {
        int responses() {
            Matcher matcher = STATUS_LINE.matcher(text);
            int count = 0;
            while (matcher.find()) {
                count++;
            }
            return count;
        }

        int status() {
            Matcher matcher = STATUS_LINE.matcher(text);
            return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
        }

        String body() {
            int start = text.indexOf("\r\n\r\n");
            return start < 0 ? "" : text.substring(start + 4);
        }

        boolean hasHeader(String line) {
            return text.substring(0, Math.max(0, text.indexOf("\r\n\r\n"))).toLowerCase()
                    .contains("\r\n" + line.toLowerCase() + "\r\n");
        }
    }

    private RawHttp() {
    }

    static Reply exchange(int port, String request, int readTimeoutMillis) throws IOException {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), readTimeoutMillis);
    }

    static Reply exchange(int port, byte[] request, int readTimeoutMillis) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(readTimeoutMillis);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (SocketException e) {
                // the server may answer and close before taking all of a large request
            }
            return readAll(socket);
        }
    }

    static Reply readAll(Socket socket) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        boolean closed;
        try {
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    closed = true;
                    break;
                }
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (SocketException e) {
            closed = true; // reset: closed with unread bytes
        }
        return new Reply(received.toString(StandardCharsets.ISO_8859_1), closed);
    }
}
