package dev.lanes.server.http;

import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.config.HttpSettings;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST port against an attacker with a raw socket (issue 17's reproductions): request
 * smuggling, broken and legal chunked bodies, HTTP/2 on the HTTP/1.1 port, slow and silent
 * clients, connection floods, odd methods and versions. After each the node still serves.
 */
class FrontDoorIT {
    private static final String AFFINE_BODY =
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],"
                    + "\"parameters\":{\"cache_bypass\":true}}";
    /** An answer must come within this; the node's own timeouts are far shorter. */
    private static final int READ_TIMEOUT_MILLIS = 20_000;
    private static final HttpSettings SHORT_TIMEOUTS = HttpSettings.DEFAULT.withTimeouts(
            Duration.ofMillis(800), Duration.ofMillis(800), Duration.ofMillis(1500));

    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("affine", 1, TestModels.affine()))
            .start(dir -> ServerFixture.start(dir, SHORT_TIMEOUTS));

    private static ServerFixture server() {
        return node.server();
    }

    private static Path repository() {
        return node.repository();
    }

    /**
     * A fresh connection each time: this node closes idle connections after 1.5 s, and a pooled
     * client that reuses one at that moment loses its request (the race every keep-alive client has).
     */
    @AfterEach
    void nodeStillServes() throws Exception {
        assertEquals(200, RawHttp.exchange(port(), request("GET", "/v2/health/live", "Connection: close\r\n", null),
                READ_TIMEOUT_MILLIS).status());
        RawHttp.Reply good = RawHttp.exchange(port(), request("POST", "/v2/models/affine/infer",
                "Connection: close\r\nContent-Type: application/json\r\n", AFFINE_BODY), READ_TIMEOUT_MILLIS);
        assertEquals(200, good.status(), good.text());
    }

    private static int port() {
        return server().server().port();
    }

    private static double affineSuccesses() throws Exception {
        RawHttp.Reply stats = RawHttp.exchange(port(), request("GET", "/v2/models/affine/stats", "Connection: close\r\n",
                null), READ_TIMEOUT_MILLIS);
        return ServerFixture.json(stats.body())
                .get("model_stats").get(0).get("inference_stats").get("success").get("count").asDouble();
    }

    private static String request(String method, String path, String headers, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                + (body == null ? "" : "Content-Length: " + body.getBytes(StandardCharsets.ISO_8859_1).length + "\r\n")
                + "\r\n" + (body == null ? "" : body);
    }

    /** An infer the node refuses early, whose body holds a complete second request at {@code offset}. */
    private static String smuggling(String model, String outerHeaders, int bodyLength, int offset) {
        String inner = request("POST", "/v2/models/affine/infer", "Content-Type: application/json\r\n", AFFINE_BODY);
        String body = "[" + " ".repeat(offset - 1) + inner;
        body = body + " ".repeat(bodyLength - body.length());
        return request("POST", "/v2/models/" + model + "/infer", outerHeaders + "Content-Type: application/json\r\n",
                body);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"client says close", "keep-alive", "unknown model, 2 MiB body"})
    void refusedRequest_neverRunsTheRequestInsideItsBody(String attack) throws Exception {
        String raw = switch (attack) {
            case "client says close" -> smuggling("affine", "Connection: close\r\n", 8192 + 400, 8192);
            case "keep-alive" -> smuggling("affine", "", 8192 + 400, 8192);
            default -> smuggling("nope", "", 2 << 20, 8192);
        };
        double before = affineSuccesses();
        RawHttp.Reply reply = RawHttp.exchange(port(), raw, 3000);
        assertEquals(1, reply.responses(), reply.text());
        assertTrue(reply.status() == 400 || reply.status() == 404, reply.text());
        assertEquals(before, affineSuccesses(), "the smuggled inference ran");
    }

    @Test
    void earlyAnswerTo100Continue_thenTheBodyAnyway_isNeverRunAsARequest() throws Exception {
        // RFC 9110 §10.1.1: a client may send the body it held back even after a final answer.
        // Here the body is "POS" and the next request starts "T /v2/models/affine/infer": a parser
        // that forgot the body would read POST /v2/models/affine/infer, which no proxy saw.
        String next = "T /v2/models/affine/infer HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + AFFINE_BODY.length() + "\r\n\r\n" + AFFINE_BODY;
        double before = affineSuccesses();
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v2/models/nope/infer HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 3\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] status = socket.getInputStream().readNBytes(12);
            assertEquals("HTTP/1.1 404", new String(status, StandardCharsets.ISO_8859_1));
            try {
                out.write("POS".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Thread.sleep(100); // the body and the next request in separate reads, as a proxy would relay them
                out.write(next.getBytes(StandardCharsets.ISO_8859_1));
            } catch (java.io.IOException closed) {
                // the node may already have closed: that is one right answer
            }
            RawHttp.Reply rest = RawHttp.readAll(socket);
            assertFalse(rest.text().contains("\"outputs\""), "the smuggled inference answered: " + rest.text());
        }
        assertEquals(before, affineSuccesses(), "the smuggled inference ran");
    }

    @Test
    void head_isAnsweredWithoutABody_soAKeepAliveClientStaysInStep() throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port(), request("HEAD", "/v2/health/live", "", null)
                + request("GET", "/v2/health/live", "", null), READ_TIMEOUT_MILLIS);
        assertEquals(405, reply.status(), reply.text());
        assertEquals("", reply.body(), "an answer to HEAD carries no body");
        assertEquals(1, reply.responses(), reply.text());
        assertTrue(reply.closed());
    }

    @Test
    void keepAliveConnection_idleLongerThanTheHeaderTimeout_stillGetsItsNextHead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request("GET", "/v2/health/live", "", null).getBytes(StandardCharsets.ISO_8859_1));
            assertEquals("HTTP/1.1 200", new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1));
            socket.getInputStream().readNBytes(socket.getInputStream().available());
            // idle past the header timeout (0.8 s), not past the idle timeout (1.5 s); then a head in two writes
            Thread.sleep(1100);
            out.write("GET /v2/health/live HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(200);
            out.write("Host: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Reply reply = RawHttp.readAll(socket);
            assertEquals(200, reply.status(), "the head's time must count from its first byte: " + reply.text());
        }
    }

    @Test
    void connectionClose_closesForReal_andPipelinedRequestsAreNotServed() throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port(), request("GET", "/v2/health/live", "Connection: close\r\n", null)
                + request("GET", "/v2", "", null), READ_TIMEOUT_MILLIS);
        assertEquals(1, reply.responses(), reply.text());
        assertTrue(reply.closed());
    }

    @Test
    void pipelinedKeepAliveRequests_areAllServedInOrder() throws Exception {
        String three = request("POST", "/v2/models/affine/infer", "", AFFINE_BODY)
                + request("GET", "/v2/health/live", "", null)
                + request("GET", "/v2/models/affine/ready", "Connection: close\r\n", null);
        RawHttp.Reply reply = RawHttp.exchange(port(), three, READ_TIMEOUT_MILLIS);
        assertEquals(3, reply.responses(), reply.text());
        assertTrue(reply.text().contains("\"outputs\""));
        assertTrue(reply.closed());
    }

    @Test
    void chunkedBodies_withExtensionsAndTrailers_areServed() throws Exception {
        String head = "POST /v2/models/affine/infer HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        int half = AFFINE_BODY.length() / 2;
        String body = Integer.toHexString(half) + ";foo=bar\r\n" + AFFINE_BODY.substring(0, half) + "\r\n"
                + Integer.toHexString(AFFINE_BODY.length() - half) + "\r\n" + AFFINE_BODY.substring(half) + "\r\n"
                + "0\r\nX-Checksum: 1\r\n\r\n";
        RawHttp.Reply reply = RawHttp.exchange(port(), head + body, READ_TIMEOUT_MILLIS);
        assertEquals(200, reply.status(), reply.text());
        assertTrue(reply.body().contains("\"outputs\""), reply.text());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"zz\r\n" + "a", "zz\r\nabc\r\n0\r\n\r\n", "4\r\nabcdXY\r\n0\r\n\r\n"})
    void brokenChunkedBodies_get400AtOnce_andClose(String chunks) throws Exception {
        String head = "POST /v2/models/affine/infer HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n";
        RawHttp.Reply reply = RawHttp.exchange(port(), head + chunks, READ_TIMEOUT_MILLIS);
        assertEquals(400, reply.status(), reply.text());
        assertTrue(reply.body().startsWith("{\"error\":"), reply.text());
        assertTrue(reply.closed());
    }

    @Test
    void http2PriorKnowledge_onTheRestPort_is505() throws Exception {
        // The HPACK hang needed an HTTP/2 decoder on this port; there is none, and the preface is refused.
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        RawHttp.Reply reply = RawHttp.exchange(port(), preface, READ_TIMEOUT_MILLIS);
        assertEquals(505, reply.status(), reply.text());
        assertTrue(reply.closed());
    }

    @Test
    void http10_isServed_andCloses() throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port(), "POST /v2/models/affine/infer HTTP/1.0\r\nContent-Length: "
                + AFFINE_BODY.length() + "\r\n\r\n" + AFFINE_BODY, READ_TIMEOUT_MILLIS);
        assertEquals(200, reply.status(), reply.text());
        assertTrue(reply.hasHeader("Content-Length: " + reply.body().length()), "an HTTP/1.0 client needs a length");
        assertTrue(reply.closed());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"request line of 100 KB", "LF line ends", "query %zz", "no Host", "header flood"})
    void malformedHeads_getAJsonError_andClose(String attack) throws Exception {
        record Case(String raw, int status) {
        }
        Case c = switch (attack) {
            case "request line of 100 KB" -> new Case("GET /" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414);
            case "LF line ends" -> new Case("GET /v2/health/live HTTP/1.1\nHost: a\n\n", 400);
            case "query %zz" -> new Case("GET /v2?%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400);
            case "no Host" -> new Case("GET /v2 HTTP/1.1\r\n\r\n", 400);
            default -> new Case("GET /v2 HTTP/1.1\r\nHost: a\r\n" + "X-A: b\r\n".repeat(5000) + "\r\n", 431);
        };
        RawHttp.Reply reply = RawHttp.exchange(port(), c.raw(), READ_TIMEOUT_MILLIS);
        assertEquals(c.status(), reply.status(), reply.text());
        assertTrue(reply.body().startsWith("{\"error\":\"") && reply.body().length() > 14, reply.text());
        assertTrue(reply.closed());
    }

    @Test
    void wrongMethodOnAKnownPath_is405WithAllow_andOptionsAnswersAllow() throws Exception {
        RawHttp.Reply head = RawHttp.exchange(port(), request("HEAD", "/v2/health/live", "Connection: close\r\n", null),
                READ_TIMEOUT_MILLIS);
        assertEquals(405, head.status(), head.text());
        assertTrue(head.hasHeader("Allow: GET"), head.text());
        RawHttp.Reply get = RawHttp.exchange(port(), request("GET", "/v2/models/affine/infer", "Connection: close\r\n",
                null), READ_TIMEOUT_MILLIS);
        assertEquals(405, get.status(), get.text());
        assertTrue(get.hasHeader("Allow: POST"), get.text());
        RawHttp.Reply options = RawHttp.exchange(port(), request("OPTIONS", "/v2/repository/index",
                "Connection: close\r\n", null), READ_TIMEOUT_MILLIS);
        assertEquals(204, options.status(), options.text());
        assertTrue(options.hasHeader("Allow: GET, POST"), options.text());
        RawHttp.Reply unknown = RawHttp.exchange(port(), request("DELETE", "/v2/nothing", "Connection: close\r\n",
                null), READ_TIMEOUT_MILLIS);
        assertEquals(404, unknown.status(), unknown.text());
    }

    @Test
    void partialHead_gets408_andCloses() throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port(), "GET /v2 HTTP/1.1\r\nHost: a\r\n", READ_TIMEOUT_MILLIS);
        assertEquals(408, reply.status(), reply.text());
        assertTrue(reply.closed());
    }

    @Test
    void partialBody_gets408_andCloses() throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port(), "POST /v2/models/affine/infer HTTP/1.1\r\nHost: a\r\n"
                + "Content-Length: 100\r\n\r\n{\"inputs\"", READ_TIMEOUT_MILLIS);
        assertEquals(408, reply.status(), reply.text());
        assertTrue(reply.closed());
    }

    @Test
    void silentConnection_andIdleKeepAlive_areClosed() throws Exception {
        RawHttp.Reply silent = RawHttp.exchange(port(), new byte[0], READ_TIMEOUT_MILLIS);
        assertTrue(silent.closed(), "a connection that never sends a byte is closed");
        assertEquals(0, silent.responses());
        RawHttp.Reply idle = RawHttp.exchange(port(), request("GET", "/v2/health/live", "", null), READ_TIMEOUT_MILLIS);
        assertEquals(1, idle.responses(), idle.text());
        assertTrue(idle.closed(), "an idle keep-alive connection is closed after the idle timeout");
    }

    @Test
    void connectionsBeyondTheBound_waitUntilOneCloses() throws Exception {
        HttpSettings three = HttpSettings.DEFAULT.withMaxConnections(3);
        try (ServerFixture bounded = ServerFixture.start(repository(), three)) {
            int port = bounded.server().port();
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket socket = new Socket("127.0.0.1", port);
                    // a request per held connection proves each was accepted, not left in the backlog
                    socket.getOutputStream().write(request("GET", "/v2/health/live", "", null)
                            .getBytes(StandardCharsets.ISO_8859_1));
                    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                    assertTrue(new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1)
                            .startsWith("HTTP/1.1 200"));
                    held.add(socket);
                }
                try (Socket fourth = new Socket("127.0.0.1", port)) {
                    OutputStream out = fourth.getOutputStream();
                    out.write(request("GET", "/v2/health/live", "Connection: close\r\n", null)
                            .getBytes(StandardCharsets.ISO_8859_1));
                    fourth.setSoTimeout(1000);
                    RawHttp.Reply waiting = RawHttp.readAll(fourth);
                    assertEquals(0, waiting.responses(), "a fourth connection was served: " + waiting.text());
                    held.removeFirst().close();
                    fourth.setSoTimeout(READ_TIMEOUT_MILLIS);
                    RawHttp.Reply served = RawHttp.readAll(fourth);
                    assertEquals(200, served.status(), served.text());
                }
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }

    /**
     * A connection whose head the front door refused (a space before a colon) while its 8 MiB body
     * is still to come, with the 400 read up to the node's FIN.
     */
    private static Socket refusedWithItsBodyToCome() throws IOException {
        Socket socket = new Socket("127.0.0.1", port());
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.getOutputStream().write(("POST /v2/models/affine/infer HTTP/1.1\r\nHost: a\r\nX-Bad : space\r\n"
                + "Content-Length: 8388608\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(answer.startsWith("HTTP/1.1 400"), "the answer, then the node's FIN: " + answer);
        return socket;
    }

    @Test
    void refusedHead_isAnsweredAndHalfClosed_andTheBodyStillComingIsDroppedNotReset() throws Exception {
        // RFC 9112 §9.6: a node that closed at once would reset the connection under the client's
        // writes, and a client told of the reset before it read the answer never sees the answer
        try (Socket socket = refusedWithItsBodyToCome()) {
            OutputStream out = socket.getOutputStream();
            byte[] piece = new byte[64 << 10];
            for (int sent = 0; sent < 8 << 20; sent += piece.length) {
                out.write(piece); // more than the socket buffers hold: the node must still be reading
            }
            out.flush();
        }
    }

    @Test
    void unknownModel_withABodyOfMegabytes_is404_everyTime() throws Exception {
        // The handler refuses before reading the body and closes (InferRoute.DRAIN_LIMIT); the
        // client is still sending. Closing at once lost about one 404 in five to a reset.
        String body = "{\"inputs\":[]}" + " ".repeat(4 << 20);
        for (int i = 0; i < 20; i++) {
            var response = server().post("/v2/models/nope/infer", body);
            assertEquals(404, response.statusCode(), response.body());
            assertTrue(response.body().contains("unknown model"), response.body());
        }
    }

    @Test
    void refusedConnection_whoseClientKeepsSending_isClosedByTheNodeAfterItsLinger() throws Exception {
        try (Socket socket = refusedWithItsBodyToCome()) {
            OutputStream out = socket.getOutputStream();
            // a byte now and then keeps no read waiting long; only the linger's own bound ends it
            long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MILLIS);
            boolean closedByTheNode = false;
            while (!closedByTheNode && System.nanoTime() < giveUp) {
                try {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(50);
                } catch (IOException reset) {
                    closedByTheNode = true;
                }
            }
            assertTrue(closedByTheNode, "a refused connection stays open for as long as its client sends");
        }
    }

    @Test
    void bodyLargerThanTheLimit_is413BeforeItIsRead() throws Exception {
        RawHttp.Reply reply = RawHttp.exchange(port(), "POST /v2/models/affine/infer HTTP/1.1\r\nHost: a\r\n"
                + "Content-Length: 999999999999\r\n\r\n", READ_TIMEOUT_MILLIS);
        assertEquals(413, reply.status(), reply.text());
        assertFalse(reply.body().isEmpty());
        assertTrue(reply.closed());
    }
}
