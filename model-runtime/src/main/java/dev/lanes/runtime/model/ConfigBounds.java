package dev.lanes.runtime.model;

/**
 * The largest value each number in a model configuration may take, whether it comes from
 * config.pbtxt, a load request's override or Lanes' own settings. Each is far above any sensible
 * value and far below what exhausts a node: an operator's typo gets a message naming the field and
 * the bound instead of ten thousand threads.
 */
public final class ConfigBounds {
    /** Execution instances of one model version, all instance groups together. */
    public static final int MAX_INSTANCES = 128;
    /** ONNX Runtime intra-op threads per instance. */
    public static final int MAX_INTRA_OP_THREADS = 256;
    /** ONNX Runtime inter-op threads per instance. */
    public static final int MAX_INTER_OP_THREADS = 64;
    /** Threads of one model version: instances × (intra-op + inter-op). */
    public static final int MAX_MODEL_THREADS = 1024;
    /** CPUs a node may be told to size itself by (lanes.cpus). */
    public static final int MAX_CPUS = 1024;
    public static final int MAX_BATCH_SIZE = 1 << 16;
    public static final int MAX_PREFERRED_BATCH_SIZES = 64;
    public static final int MAX_QUEUE_SIZE = 1 << 20;
    public static final long MAX_QUEUE_DELAY_MICROS = 10_000_000L;
    public static final long MAX_TIMEOUT_MICROS = 3_600_000_000L;

    private ConfigBounds() {
    }

    /** Throws with {@code field}'s name and bounds unless {@code min <= value <= max}. */
    public static long check(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }
}
