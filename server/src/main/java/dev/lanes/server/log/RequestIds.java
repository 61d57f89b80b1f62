package dev.lanes.server.log;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids: the client's {@code X-Request-Id} when it is a sane token, else a new one. */
public final class RequestIds {
    /** The header (REST) and metadata key (gRPC) carrying the id, as proxies and tracers set it. */
    public static final String HEADER = "X-Request-Id";
    static final int MAX_LENGTH = 128;
    private static final HexFormat HEX = HexFormat.of();

    private RequestIds() {
    }

    /**
     * @param offered the client's id, or null
     * @return {@code offered} when it is 1 to 128 characters of letters, digits and {@code -._:},
     *         so it cannot forge log lines or grow them without bound; else 16 random hex digits
     */
    public static String accept(String offered) {
        return offered != null && valid(offered) ? offered : generate();
    }

    static boolean valid(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == ':';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    static String generate() {
        return HEX.toHexDigits(ThreadLocalRandom.current().nextLong()); // per request: no format parsing
    }
}
