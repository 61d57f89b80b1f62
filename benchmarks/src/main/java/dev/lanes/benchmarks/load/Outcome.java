package dev.lanes.benchmarks.load;

/**
 * How one request ended. Rejections are the server's overload answers (HTTP 503, gRPC
 * UNAVAILABLE); everything else that is not a success is an error, with its reason.
 */
public record Outcome(Kind kind, String reason) {
    public enum Kind { OK, REJECTED, ERROR }

    public static final Outcome OK = new Outcome(Kind.OK, "");
    public static final Outcome REJECTED = new Outcome(Kind.REJECTED, "");

    public static Outcome error(String reason) {
        return new Outcome(Kind.ERROR, reason);
    }
}
