package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.util.regex.Pattern;

/** What a client is told about its malformed JSON: the problem and where, not how Jackson is configured. */
final class JsonErrors {
    /** Jackson's hints name its own settings ("enable `JsonReadFeature...`", "from `StreamReadConstraints...`"). */
    private static final Pattern SETTING_HINT = Pattern.compile("[,;:]?\\s*(\\(?from|enable|use)\\s+`[^`]*`[^)]*\\)?");

    private JsonErrors() {
    }

    static String describe(JsonProcessingException e) {
        String problem = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
        problem = SETTING_HINT.matcher(problem).replaceAll("");
        int backtick = problem.indexOf('`');
        if (backtick >= 0) {
            problem = problem.substring(0, backtick).trim();
        }
        JsonLocation location = e.getLocation();
        return location == null || location.getLineNr() < 0 ? problem
                : problem + " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
