package dev.lanes.cache;

import java.util.Optional;

/** The answer of one cache lookup. ERROR means the backend failed and the request is served as a miss. */
public record Lookup(Result result, byte[] value) {
    public enum Result { HIT, MISS, ERROR }

    private static final Lookup MISS = new Lookup(Result.MISS, null);
    private static final Lookup ERROR = new Lookup(Result.ERROR, null);

    public static Lookup hit(byte[] value) {
        return new Lookup(Result.HIT, value);
    }

    public static Lookup miss() {
        return MISS;
    }

    public static Lookup error() {
        return ERROR;
    }

    public Optional<byte[]> found() {
        return Optional.ofNullable(value);
    }
}
