package dev.lanes.server.log;

/** Makes client-given text safe for a log line: bounded, and without control characters. */
final class LogText {
    private LogText() {
    }

    /** @return {@code text} with control characters as '?', cut to {@code max} characters plus "…"; null stays null */
    static String clean(String text, int max) {
        if (text == null) {
            return null;
        }
        int length = Math.min(text.length(), max);
        StringBuilder clean = new StringBuilder(length + 1);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            clean.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        if (text.length() > max) {
            clean.append('…');
        }
        return clean.toString();
    }
}
