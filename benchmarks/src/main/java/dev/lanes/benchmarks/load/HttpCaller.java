package dev.lanes.benchmarks.load;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 client on one keep-alive connection, written for load generation: the request
 * bytes are built once and the answer is parsed from one reused buffer (status, Content-Length or
 * chunked body), so the generator takes little of the CPU it shares with the server. Bodies are
 * read and discarded, except for errors, whose text becomes the reason.
 */
final class HttpCaller implements Caller {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 120_000;

    private final InetSocketAddress address;
    private final byte[] request;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    HttpCaller(InetSocketAddress address, byte[] request) {
        this.address = address;
        this.request = request;
    }

    /** The request bytes for a POST of {@code body} to {@code path}. */
    static byte[] post(InetSocketAddress address, String path, String contentType, int inferenceHeaderLength,
                       byte[] body) {
        StringBuilder head = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(address.getHostString()).append(':').append(address.getPort()).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (inferenceHeaderLength >= 0) {
            head.append("Inference-Header-Content-Length: ").append(inferenceHeaderLength).append("\r\n");
        }
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
        System.arraycopy(body, 0, bytes, headBytes.length, body.length);
        return bytes;
    }

    @Override
    public Outcome call() {
        boolean reused = socket != null;
        try {
            return exchange();
        } catch (IOException first) {
            close();
            if (!reused) {
                return Outcome.error(describe(first));
            }
            // The server may close an idle keep-alive connection; one retry on a fresh one.
            try {
                return exchange();
            } catch (IOException second) {
                close();
                return Outcome.error(describe(second));
            }
        }
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private Outcome exchange() throws IOException {
        if (socket == null) {
            connect();
        }
        out.write(request);
        out.flush();
        int status = readStatus();
        long contentLength = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
                closeAfter = true;
            }
        }
        StringBuilder errorText = status == 200 ? null : new StringBuilder();
        if (chunked) {
            for (long size = Long.parseLong(stripExtension(readLine()), 16); size > 0;
                 size = Long.parseLong(stripExtension(readLine()), 16)) {
                skip(size, errorText);
                readLine();
            }
            for (String trailer = readLine(); !trailer.isEmpty(); trailer = readLine()) {
                // trailers carry nothing the generator needs
            }
        } else if (contentLength > 0) {
            skip(contentLength, errorText);
        } else if (contentLength < 0) {
            throw new IOException("response without Content-Length or chunked encoding");
        }
        if (closeAfter) {
            close();
        }
        if (status == 200) {
            return Outcome.OK;
        }
        if (status == 503) {
            return Outcome.REJECTED;
        }
        return Outcome.error("HTTP " + status + " " + errorText);
    }

    private static String stripExtension(String line) {
        int semicolon = line.indexOf(';');
        return (semicolon < 0 ? line : line.substring(0, semicolon)).trim();
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, CONNECT_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        position = 0;
        limit = 0;
    }

    private int readStatus() throws IOException {
        String line = readLine();
        // "HTTP/1.1 200 OK"
        if (line.length() < 12 || !line.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: '" + line + "'");
        }
        return Integer.parseInt(line.substring(9, 12));
    }

    private boolean fill() throws IOException {
        int read = in.read(buffer, 0, buffer.length);
        if (read < 0) {
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            if (position == limit && !fill()) {
                throw new EOFException("connection closed by the server");
            }
            byte b = buffer[position++];
            if (b == '\n') {
                int length = line.length();
                if (length > 0 && line.charAt(length - 1) == '\r') {
                    line.setLength(length - 1);
                }
                return line.toString();
            }
            line.append((char) (b & 0xff));
        }
    }

    private void skip(long count, StringBuilder keep) throws IOException {
        long left = count;
        while (left > 0) {
            if (position == limit && !fill()) {
                throw new EOFException("connection closed inside a response body");
            }
            int take = (int) Math.min(left, limit - position);
            if (keep != null && keep.length() < 300) {
                keep.append(new String(buffer, position, Math.min(take, 300 - keep.length()), StandardCharsets.UTF_8));
            }
            position += take;
            left -= take;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
            socket = null;
        }
    }
}
