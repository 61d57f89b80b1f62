package dev.lanes.server.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code lanes.log.format=json}: one JSON object per line, with {@code time}, {@code level},
 * {@code logger}, {@code message}, the request's {@code request_id} and {@code model} when the line
 * was written while handling one, {@code error} with the stack trace of an exception, and an
 * access-log line's fields ({@link AccessEntry}) as fields of their own.
 */
public final class JsonLogFormatter extends Formatter {
    /** Puts this formatter on every handler of the root logger (Helidon's console handler). */
    public static void install() {
        JsonLogFormatter formatter = new JsonLogFormatter();
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.setFormatter(formatter);
        }
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder json = new StringBuilder(256).append('{');
        field(json, "time", Instant.ofEpochMilli(record.getMillis()).toString());
        field(json, "level", record.getLevel().getName());
        field(json, "logger", record.getLoggerName());
        AccessEntry access = access(record);
        if (access != null) {
            field(json, "message", access.text());
            field(json, "protocol", access.protocol());
            field(json, "method", access.method());
            field(json, "path", access.path());
            field(json, "status", access.status());
            number(json, "duration_ms", access.nanos() / 1e6);
            if (access.bytes() >= 0) {
                number(json, "bytes", access.bytes());
            }
            field(json, "request_id", access.requestId());
            field(json, "model", access.model());
        } else {
            field(json, "message", formatMessage(record));
            LogContext.Scope scope = LogContext.current();
            if (scope != null) {
                field(json, "request_id", scope.requestId());
                field(json, "model", scope.model());
            }
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            field(json, "error", trace.toString());
        }
        json.setLength(json.length() - 1); // the last comma
        return json.append("}\n").toString();
    }

    private static AccessEntry access(LogRecord record) {
        Object[] parameters = record.getParameters();
        return parameters != null && parameters.length == 1 && parameters[0] instanceof AccessEntry entry ? entry : null;
    }

    private static void number(StringBuilder json, String name, double value) {
        json.append('"').append(name).append("\":");
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            json.append((long) value);
        } else {
            json.append(value);
        }
        json.append(',');
    }

    private static void field(StringBuilder json, String name, String value) {
        if (value == null) {
            return;
        }
        json.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append("\",");
    }
}
