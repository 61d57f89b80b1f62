package dev.lanes.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's HTTP/1.1 parsing against scripted answers from a plain socket server. */
class HttpCallerTest {
    /** Answers each request on a connection with the next scripted response, then closes when told. */
    private static ServerSocket serve(List<String> responses, List<Integer> connections) throws Exception {
        ServerSocket server = new ServerSocket(0);
        Thread.ofVirtual().start(() -> {
            int next = 0;
            while (next < responses.size()) {
                try (Socket socket = server.accept()) {
                    connections.add(1);
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream();
                    while (next < responses.size()) {
                        readRequest(in);
                        String response = responses.get(next++);
                        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        if (response.contains("Connection: close")) {
                            break;
                        }
                    }
                } catch (Exception e) {
                    return;
                }
            }
        });
        return server;
    }

    private static void readRequest(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("closed");
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int at = text.toLowerCase().indexOf("content-length: ");
        int length = Integer.parseInt(text.substring(at + 16, text.indexOf("\r\n", at)));
        in.readNBytes(length);
    }

    @Test
    void parsesLengthChunkedAndClose_andReconnects() throws Exception {
        List<Integer> connections = new CopyOnWriteArrayList<>();
        try (ServerSocket server = serve(List.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                "HTTP/1.1 400 Bad Request\r\nContent-Length: 21\r\n\r\n{\"error\":\"bad input\"}"), connections)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.getLocalPort());
            byte[] request = HttpCaller.post(address, "/v2/models/m/infer", "application/json", -1, "{}".getBytes());
            try (HttpCaller caller = new HttpCaller(address, request)) {
                assertEquals(Outcome.OK, caller.call());
                assertEquals(Outcome.OK, caller.call(), "chunked body with an extension");
                assertEquals(Outcome.REJECTED, caller.call(), "503 is a rejection");
                Outcome error = caller.call();
                assertEquals(Outcome.Kind.ERROR, error.kind(), "a new connection after Connection: close");
                assertTrue(error.reason().startsWith("HTTP 400") && error.reason().contains("bad input"), error.reason());
            }
            assertEquals(2, connections.size());
        }
    }

    @Test
    void requestCarriesTheInferenceHeaderLength() {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 8000);
        String request = new String(HttpCaller.post(address, "/p", "application/octet-stream", 7, new byte[12]),
                StandardCharsets.ISO_8859_1);
        assertTrue(request.startsWith("POST /p HTTP/1.1\r\n"));
        assertTrue(request.contains("\r\nContent-Length: 12\r\n"));
        assertTrue(request.contains("\r\nInference-Header-Content-Length: 7\r\n"));
    }
}
