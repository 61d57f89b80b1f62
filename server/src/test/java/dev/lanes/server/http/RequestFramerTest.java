package dev.lanes.server.http;

import dev.lanes.server.config.HttpSettings;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The framer against byte streams written by hand: what Helidon gets, and what is refused. */
class RequestFramerTest {
    private static final long MAX_BODY = 1000;

    /** A framer over reads given in advance; refusals are collected instead of written. */
    private static final class Harness {
        final ArrayDeque<byte[]> reads = new ArrayDeque<>();
        final List<String> refusals = new ArrayList<>();
        final List<Integer> bodyFailures = new ArrayList<>();
        /** What Helidon's parser is doing when it pulls: reading a request line, or a body. */
        boolean readingRequestLine;
        final RequestFramer framer;

        Harness(String... chunks) {
            for (String chunk : chunks) {
                reads.add(chunk.getBytes(StandardCharsets.ISO_8859_1));
            }
            framer = new RequestFramer(reads::poll, HttpSettings.DEFAULT, MAX_BODY, new ReadTimer(),
                    new RequestFramer.Refusals() {
                        @Override
                        public void answer(Status status, byte[] response) {
                            refusals.add(new String(response, StandardCharsets.ISO_8859_1));
                        }

                        @Override
                        public void bodyFailed(Status status) {
                            bodyFailures.add(status.code());
                        }
                    }, new RequestFramer.Reader() {
                        @Override
                        public boolean readingRequestLine() {
                            return readingRequestLine;
                        }

                        @Override
                        public void newRequest() {
                        }
                    });
        }

        String pull() {
            return new String(framer.get(), StandardCharsets.ISO_8859_1);
        }

        /** Pulls until the framer reaches the end of the stream; returns what it delivered. */
        String drain() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                while (true) {
                    out.writeBytes(framer.get());
                }
            } catch (CloseConnectionException end) {
                return out.toString(StandardCharsets.ISO_8859_1);
            }
        }

        String refusalStatusLine() {
            assertEquals(1, refusals.size(), "one refusal answer");
            return refusals.getFirst().substring(0, refusals.getFirst().indexOf("\r\n"));
        }
    }

    @Test
    void get_isPassedOnAsItCame() {
        Harness h = new Harness("GET /v2 HTTP/1.1\r\nHost: a\r\nX-Y:  z \r\n\r\n");
        assertEquals("GET /v2 HTTP/1.1\r\nHost: a\r\nX-Y:  z \r\n\r\n", h.pull());
        assertThrows(CloseConnectionException.class, h.framer::get, "end of stream closes");
        assertTrue(h.refusals.isEmpty());
    }

    /** Found by AttackFamiliesIT: any Content-Encoding, identity included, got Helidon's bare "Bad Request". */
    @Test
    void contentCodings_areRefused415_butIdentityIsDroppedAndServed() {
        Harness gzip = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nContent-Encoding: identity, gzip\r\n"
                + "Content-Length: 3\r\n\r\nabc");
        assertThrows(CloseConnectionException.class, gzip::pull);
        assertEquals("HTTP/1.1 415 Unsupported Media Type", gzip.refusalStatusLine());
        assertTrue(gzip.refusals.getFirst().contains("\r\nAccept-Encoding: identity\r\n"), gzip.refusals.getFirst());
        assertTrue(gzip.refusals.getFirst().contains("content coding 'gzip' is not supported"), gzip.refusals.getFirst());

        Harness identity = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nContent-Encoding: Identity\r\n"
                + "Content-Length: 3\r\n\r\nabc");
        assertEquals("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n", identity.pull());
        assertEquals("abc", identity.pull());
    }

    @Test
    void lengthBody_isDeliveredApartFromTheHead_evenWhenSplitAcrossReads() {
        Harness h = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc", "defghij",
                "GET /y HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n", h.pull());
        assertEquals("abc", h.pull());
        assertEquals("defghij", h.pull());
        assertEquals("GET /y HTTP/1.1\r\nHost: a\r\n\r\n", h.pull());
    }

    @Test
    void pipelinedRequests_inOneRead_comeOutOneSectionPerPull() {
        Harness h = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nokGET /y HTTP/1.1\r\nHost: a\r\n\r\n");
        h.pull();
        assertEquals("ok", h.pull());
        assertEquals("GET /y HTTP/1.1\r\nHost: a\r\n\r\n", h.pull());
    }

    @Test
    void chunkedBody_withExtensionsAndTrailers_isReencodedPlainly() {
        Harness h = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n",
                "4;foo=bar;q=\"x y\"\r\nabcd\r\n", "2 ; ext\r\nef\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n");
        assertEquals("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n", h.drain());
        assertTrue(h.refusals.isEmpty());
    }

    @Test
    void aChunkSplitAcrossReads_isHandedOverPieceByPiece_neverWhole() {
        Harness h = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                "8\r\nabc", "defgh\r\n0\r\n\r\n");
        assertEquals("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n", h.drain());
    }

    @Test
    void http10_isServedAsHttp11ThatCloses_withAHostWhenItHasNone() {
        Harness h = new Harness("GET /v2 HTTP/1.0\r\n\r\n");
        assertEquals("GET /v2 HTTP/1.1\r\nConnection: close\r\nHost: localhost\r\n\r\n", h.pull());
    }

    @Test
    void leadingEmptyLines_areIgnoredAsRfc9112Allows() {
        Harness h = new Harness("\r\n\r\nGET /v2 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals("GET /v2 HTTP/1.1\r\nHost: a\r\n\r\n", h.pull());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bare LF|GET /v2 HTTP/1.1\\nHost: a\\n\\n|400",
            "LF in a header|GET /v2 HTTP/1.1\\r\\nHost: a\\nX: y\\r\\n\\r\\n|400",
            "no version|GET /v2\\r\\nHost: a\\r\\n\\r\\n|400",
            "two spaces|GET  /v2 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
            "HTTP/2 preface|PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n|505",
            "HTTP/1.2|GET /v2 HTTP/1.2\\r\\nHost: a\\r\\n\\r\\n|505",
            "HTTP/2 without a minor|GET /v2 HTTP/2\\r\\nHost: a\\r\\n\\r\\n|505",
            "lower-case version|GET /v2 http/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
            "bad percent|GET /v2?%zz HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
            "non-ASCII target|GET /\u00e9 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
            "method not a token|G(T /v2 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
            "no Host|GET /v2 HTTP/1.1\\r\\n\\r\\n|400",
            "two Hosts|GET /v2 HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n|400",
            "obs-fold|GET /v2 HTTP/1.1\\r\\nHost: a\\r\\nX: y\\r\\n z\\r\\n\\r\\n|400",
            "space before colon|GET /v2 HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n|400",
            "no colon|GET /v2 HTTP/1.1\\r\\nHost: a\\r\\nnonsense\\r\\n\\r\\n|400",
            "control char in value|GET /v2 HTTP/1.1\\r\\nHost: a\\r\\nX: a\u0001b\\r\\n\\r\\n|400",
            "CL and TE|POST /x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400",
            "two CL|POST /x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\nabc|400",
            "CL list|POST /x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3, 3\\r\\n\\r\\nabc|400",
            "CL sign|POST /x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +3\\r\\n\\r\\nabc|400",
            "CL over limit|POST /x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1001\\r\\n\\r\\n|413",
            "CL of 19 digits|POST /x HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1000000000000000000\\r\\n\\r\\n|400",
            "TE not chunked last|POST /x HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n|400",
            "TE gzip chunked|POST /x HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n|501",
            "TE in HTTP/1.0|POST /x HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400",
            "too many empty lines|\\r\\n\\r\\n\\r\\n\\r\\n\\r\\nGET /v2 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
    })
    void malformedHeads_areRefusedBeforeHelidonSeesThem(String name, String request, int status) {
        Harness h = new Harness(unescape(request));
        assertThrows(CloseConnectionException.class, h.framer::get);
        assertTrue(h.refusalStatusLine().startsWith("HTTP/1.1 " + status + " "), h.refusals.getFirst());
        assertTrue(h.refusals.getFirst().contains("Connection: close\r\n"));
        assertTrue(h.refusals.getFirst().endsWith("\"}"), "a JSON error body: " + h.refusals.getFirst());
        assertThrows(CloseConnectionException.class, h.framer::get, "nothing after a refusal is read");
    }

    /** CSV rows cannot hold line ends: they are written as \\r and \\n there. */
    private static String unescape(String csv) {
        return csv.replace("\\r", "\r").replace("\\n", "\n");
    }

    @Test
    void longRequestLine_is414_andLargeHeaders431() {
        Harness line = new Harness("GET /" + "a".repeat(HttpSettings.DEFAULT.maxRequestLine()) + " HTTP/1.1\r\n");
        assertThrows(CloseConnectionException.class, line.framer::get);
        assertTrue(line.refusalStatusLine().startsWith("HTTP/1.1 414 "));

        Harness headers = new Harness("GET / HTTP/1.1\r\nHost: a\r\n" + "X: " + "v".repeat(200) + "\r\n".repeat(1)
                + ("Y: " + "v".repeat(200) + "\r\n").repeat(HttpSettings.DEFAULT.maxHeaderBytes() / 200) + "\r\n");
        assertThrows(CloseConnectionException.class, headers.framer::get);
        assertTrue(headers.refusalStatusLine().startsWith("HTTP/1.1 431 "));

        Harness count = new Harness("GET / HTTP/1.1\r\nHost: a\r\n"
                + "X: 1\r\n".repeat(HttpSettings.DEFAULT.maxHeaderCount()) + "\r\n");
        assertThrows(CloseConnectionException.class, count.framer::get);
        assertTrue(count.refusalStatusLine().startsWith("HTTP/1.1 431 "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bad size|zz\\r\\nabc\\r\\n0\\r\\n\\r\\n|400",
            "size with junk|4x\\r\\nabcd\\r\\n0\\r\\n\\r\\n|400",
            "data not followed by CRLF|4\\r\\nabcdX\\r\\n0\\r\\n\\r\\n|400",
            "bare LF after size|4\\nabcd\\r\\n0\\r\\n\\r\\n|400",
            "over the body limit|3e9\\r\\n|413",
            "16 hex digits|0000000000000001\\r\\na\\r\\n0\\r\\n\\r\\n|400",
            "ends inside a chunk|8\\r\\nabc|400",
            "malformed trailer|0\\r\\nno colon here\\r\\n\\r\\n|400",
    })
    void malformedChunkedBodies_failTheReadingHandler(String name, String body, int status) {
        Harness h = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", unescape(body));
        h.pull();
        RequestFramingException error = assertThrows(RequestFramingException.class, () -> {
            while (true) {
                h.pull();
            }
        });
        assertEquals(status, error.status().code(), error.getMessage());
        assertEquals(List.of(status), h.bodyFailures, "counted once");
        assertThrows(CloseConnectionException.class, h.framer::get, "the connection closes after a broken body");
    }

    @Test
    void lengthBody_endingEarly_failsTheReadingHandler() {
        Harness h = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
        h.pull();
        assertEquals("abc", h.pull());
        assertEquals(400, assertThrows(RequestFramingException.class, h.framer::get).status().code());
    }

    @Test
    void prologueParsedFromABody_isRequestSmuggling_andCloses() {
        Harness h = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 30\r\n\r\n",
                "GET /smuggled HTTP/1.1\r\nHost: \r\n\r\n");
        h.pull();
        h.framer.checkPrologue(); // Helidon parsing the head just delivered: fine
        h.pull();                 // a handler that did not read the body; Helidon pulls it for a request line
        assertThrows(CloseConnectionException.class, h.framer::checkPrologue);
        assertThrows(CloseConnectionException.class, h.framer::get);
    }

    @Test
    void prologueOfTheNextHead_afterTheBodyWasRead_isFine() {
        Harness h = new Harness("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok",
                "GET /y HTTP/1.1\r\nHost: a\r\n\r\n");
        h.pull();
        h.framer.checkPrologue();
        h.pull();
        h.pull();
        assertDoesNotThrow(h.framer::checkPrologue);
    }
}
