package dev.lanes.server.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLogFormatterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anyMessage_isOneJsonLine_withTheRequestsContext() throws Exception {
        String message = "quote \" backslash \\ newline \n tab \t bell \u0007 unicode é";
        LogRecord record = new LogRecord(Level.WARNING, message);
        record.setLoggerName("dev.lanes.test");
        record.setThrown(new IllegalStateException("boom"));
        LogContext.Scope scope = LogContext.newScope("req-1");
        String line;
        try (LogContext.Binding bound = scope.bind()) {
            LogContext.model("affine");
            line = new JsonLogFormatter().format(record);
        }
        assertTrue(line.endsWith("}\n"));
        assertEquals(1, line.lines().count(), "one line: " + line);
        JsonNode json = JSON.readTree(line);
        assertEquals(message, json.path("message").asText());
        assertEquals("WARNING", json.path("level").asText());
        assertEquals("dev.lanes.test", json.path("logger").asText());
        assertEquals("req-1", json.path("request_id").asText());
        assertEquals("affine", json.path("model").asText());
        assertTrue(json.path("error").asText().contains("IllegalStateException: boom"));

        JsonNode outside = JSON.readTree(new JsonLogFormatter().format(new LogRecord(Level.INFO, "idle")));
        assertFalse(outside.has("request_id"), "a line outside any request has no request fields");
    }

    @Test
    void accessLines_cannotBeForgedOrGrownByTheClient() throws Exception {
        String model = "m\nFAKE 200 line\r" + "x".repeat(1000);
        AccessEntry entry = new AccessEntry("grpc", "POST", "inference.GRPCInferenceService/ModelInfer", "OK",
                1_000_000, -1, "id-1", model);
        assertEquals(1, entry.text().lines().count(), entry.text());
        assertTrue(entry.model().length() <= AccessEntry.MAX_FIELD + 1, "bounded: " + entry.model().length());
        assertTrue(entry.model().startsWith("m?FAKE 200 line?"), entry.model());
        LogRecord record = new LogRecord(Level.INFO, "{0}");
        record.setParameters(new Object[]{entry});
        JsonNode json = JSON.readTree(new JsonLogFormatter().format(record));
        assertEquals(entry.model(), json.path("model").asText());
        assertFalse(json.has("bytes"), "unknown for gRPC");
        assertEquals(1.0, json.path("duration_ms").asDouble());
    }

    @Test
    void requestIds_acceptSaneTokensOnly() {
        assertEquals("a".repeat(128), RequestIds.accept("a".repeat(128)));
        assertTrue(RequestIds.accept("a".repeat(129)).matches("[0-9a-f]{16}"));
        assertEquals("Ab-0._:", RequestIds.accept("Ab-0._:"));
        for (String bad : new String[]{"", "a b", "a\nb", "é", "x\"y"}) {
            assertTrue(RequestIds.accept(bad).matches("[0-9a-f]{16}"), bad);
        }
        assertTrue(RequestIds.accept(null).matches("[0-9a-f]{16}"));
    }
}
