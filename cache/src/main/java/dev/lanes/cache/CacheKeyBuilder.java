package dev.lanes.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;

/**
 * Builds a {@link CacheKey}: SHA-256 over a versioned prefix, the model name, the resolved model
 * version, the requested output names (sorted) and every input's name, datatype, shape and raw
 * bytes, inputs sorted by name. Every field is length-prefixed, so no two different requests
 * hash the same bytes. Unlike Triton's key, shape and datatype are part of it: the same bytes as
 * [2,6] INT32 and as [3,4] FP32 are different requests. Not thread-safe; one per request.
 */
public final class CacheKeyBuilder {
    /** Bumped whenever the key or the value encoding changes, so old entries are never read. */
    static final String PREFIX = "lanes-cache-v1";

    private record Input(String name, String datatype, long[] shape, ByteBuffer data) {
    }

    private final String model;
    private final long version;
    private final SortedSet<String> outputs;
    private final List<Input> inputs = new ArrayList<>();

    /** @param outputs the output names the response will hold (all of them when all were asked for) */
    public CacheKeyBuilder(String model, long version, SortedSet<String> outputs) {
        this.model = model;
        this.version = version;
        this.outputs = outputs;
    }

    /** Adds an input; {@code data} is read from its position to its limit and left unchanged. */
    public CacheKeyBuilder input(String name, String datatype, long[] shape, ByteBuffer data) {
        inputs.add(new Input(name, datatype, shape.clone(), data.duplicate()));
        return this;
    }

    public CacheKey build() {
        MessageDigest sha = sha256();
        string(sha, PREFIX);
        string(sha, model);
        number(sha, version);
        number(sha, outputs.size());
        for (String output : outputs) {
            string(sha, output);
        }
        List<Input> sorted = new ArrayList<>(inputs);
        sorted.sort(Comparator.comparing(Input::name));
        number(sha, sorted.size());
        for (Input input : sorted) {
            string(sha, input.name());
            string(sha, input.datatype());
            number(sha, input.shape().length);
            for (long dim : input.shape()) {
                number(sha, dim);
            }
            number(sha, input.data().remaining());
            sha.update(input.data());
        }
        return new CacheKey(model, sha.digest());
    }

    private static void string(MessageDigest sha, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        number(sha, bytes.length);
        sha.update(bytes);
    }

    private static void number(MessageDigest sha, long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            sha.update((byte) (value >>> shift));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
