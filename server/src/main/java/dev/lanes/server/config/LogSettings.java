package dev.lanes.server.config;

import java.util.Locale;

/**
 * How the node logs.
 *
 * @param format text (one line as {@code logging.properties} formats it) or json (one object per
 *               line, for log collectors)
 * @param access one line per REST request and gRPC call (method, path, status, duration, bytes,
 *               request id, model) on the logger {@code lanes.access}
 */
public record LogSettings(Format format, boolean access) {
    public static final LogSettings DEFAULT = new LogSettings(Format.TEXT, false);

    public enum Format {
        TEXT, JSON;

        public static Format parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ConfigKeys.LOG_FORMAT + " must be text or json, got '" + text + "'");
            }
        }
    }
}
