package dev.lanes.server.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lanes.server.config.HttpSettings;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Any bytes, cut into reads anywhere, through the framer: it ends only by closing or by a framing
 * error, every head it hands Helidon is a canonical HTTP/1.1 head, no body outgrows the limit, and
 * nothing it delivers is more than what came in plus what it adds to heads and chunk lines.
 * {@code mvn verify} runs the seeds; {@code bin/fuzz} searches.
 */
class RequestFramerFuzzTest {
    private static final long MAX_BODY = 4096;
    private static final HttpSettings SMALL = new HttpSettings(256, 1024, 16, Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), 16);

    @FuzzTest(maxDuration = "20s")
    void anyBytes_areFramedOrRefused_neverMisread(FuzzedDataProvider data) {
        boolean[] skips = new boolean[data.consumeInt(0, 8)];
        for (int i = 0; i < skips.length; i++) {
            skips[i] = data.consumeBoolean();
        }
        ArrayDeque<byte[]> reads = new ArrayDeque<>();
        long input = 0;
        while (data.remainingBytes() > 0) {
            byte[] read = data.consumeBytes(data.consumeInt(1, 64));
            if (read.length > 0) {
                reads.add(read);
                input += read.length;
            }
        }
        int[] refusals = new int[1];
        // Helidon may ask for a request line while a body is unread (an early answer): modelled by
        // the fuzzer's choice at each pull; the framer must then close, never hand over body bytes.
        boolean[] helidonWantsARequestLine = new boolean[1];
        RequestFramer framer = new RequestFramer(reads::poll, SMALL, MAX_BODY, new ReadTimer(),
                new RequestFramer.Refusals() {
                    @Override
                    public void answer(Status status, byte[] response) {
                        refusals[0]++;
                        assertTrue(status.code() >= 400 && status.code() < 600);
                    }

                    @Override
                    public void bodyFailed(Status status) {
                        assertTrue(status.code() >= 400 && status.code() < 500);
                    }
                }, new RequestFramer.Reader() {
                    @Override
                    public boolean readingRequestLine() {
                        return helidonWantsARequestLine[0];
                    }

                    @Override
                    public void newRequest() {
                    }
                });
        long delivered = 0;
        try {
            for (int pulls = 0; pulls < 100_000; pulls++) {
                int headsBefore = framer.headsDelivered();
                helidonWantsARequestLine[0] = skips.length > 0 && skips[pulls % skips.length];
                byte[] piece;
                try {
                    piece = framer.get();
                } catch (CloseConnectionException | RequestFramingException end) {
                    throw end;
                }
                if (helidonWantsARequestLine[0] && framer.headsDelivered() == headsBefore) {
                    fail("body bytes handed over while a request line was asked for");
                }
                delivered += piece.length;
                if (framer.headsDelivered() > headsBefore) {
                    checkHead(new String(piece, StandardCharsets.ISO_8859_1));
                    framer.checkPrologue();
                }
                if (delivered > 9 * input + 128L * framer.headsDelivered()) {
                    fail("delivered " + delivered + " bytes from " + input);
                }
            }
            fail("the framer never ended on " + input + " bytes");
        } catch (CloseConnectionException | RequestFramingException expected) {
            assertTrue(refusals[0] <= 1, "at most one refusal is answered per connection");
        }
    }

    private static void checkHead(String head) {
        String[] lines = head.substring(0, head.length() - 4).split("\r\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        assertEquals(3, requestLine.length, head);
        assertEquals("HTTP/1.1", requestLine[2], head);
        for (int i = 1; i < lines.length; i++) {
            assertTrue(lines[i].indexOf(':') > 0, "a header line without a name: " + head);
            assertTrue(lines[i].indexOf('\n') < 0 && lines[i].indexOf('\r') < 0, "a bare CR or LF: " + head);
        }
        long framings = head.lines().filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15)
                || l.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)).count();
        assertTrue(framings <= 1, "two framings handed to Helidon: " + head);
    }
}
