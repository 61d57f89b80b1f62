package dev.lanes.server.http;

import java.nio.charset.StandardCharsets;

/** Checks of one {@code name: value} line by RFC 9110 §5 and RFC 9112 §5. */
final class HeaderField {
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[Character.toUpperCase(c)] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private HeaderField() {
    }

    static boolean isTokenChar(byte b) {
        return b >= 0 && TOKEN[b];
    }

    /** The index of the colon ending a non-empty token name, or -1. */
    static int nameEnd(byte[] line, int length) {
        for (int i = 0; i < length; i++) {
            if (line[i] == ':') {
                return i == 0 ? -1 : i;
            }
            if (!isTokenChar(line[i])) {
                return -1;
            }
        }
        return -1;
    }

    /** Whether the name in {@code line[0..nameEnd)} is {@code lowerCaseName}, in any ASCII case. */
    static boolean nameIs(byte[] line, int nameEnd, byte[] lowerCaseName) {
        if (nameEnd != lowerCaseName.length) {
            return false;
        }
        for (int i = 0; i < nameEnd; i++) {
            byte b = line[i];
            if ((b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b) != lowerCaseName[i]) {
                return false;
            }
        }
        return true;
    }

    /** Why {@link #nameEnd} found no name. */
    static String problem(byte[] line, int length) {
        if (line[0] == ' ' || line[0] == '\t') {
            return "obsolete line folding (a header line starting with whitespace) is not accepted";
        }
        for (int i = 0; i < length; i++) {
            if (line[i] == ':') {
                return i == 0 ? "a header field without a name"
                        : line[i - 1] == ' ' || line[i - 1] == '\t' ? "whitespace between a field name and its colon"
                        : "a field name with characters outside a token";
            }
        }
        return "a header line without a colon";
    }

    /** Why the value in {@code line[from..length)} is invalid, or null: no control characters but tab. */
    static String valueProblem(byte[] line, int from, int length) {
        for (int i = from; i < length; i++) {
            byte b = line[i];
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                return "a field value with a control character";
            }
        }
        return null;
    }

    /** The value without the optional whitespace around it. */
    static String value(byte[] line, int from, int length) {
        int start = from;
        int end = length;
        while (start < end && (line[start] == ' ' || line[start] == '\t')) {
            start++;
        }
        while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t')) {
            end--;
        }
        return new String(line, start, end - start, StandardCharsets.ISO_8859_1);
    }
}
