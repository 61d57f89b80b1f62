package dev.lanes.cache;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A cache key: the SHA-256 digest of everything that determines a prediction (see
 * {@link CacheKeyBuilder}), and the model it belongs to, kept for metrics only. Equality and hash
 * use the digest alone.
 */
public final class CacheKey {
    private final String model;
    private final byte[] digest;
    private final int hash;

    CacheKey(String model, byte[] digest) {
        this.model = model;
        this.digest = digest;
        this.hash = Arrays.hashCode(digest);
    }

    public String model() {
        return model;
    }

    /** The 32 digest bytes; callers must not modify them. */
    byte[] digest() {
        return digest;
    }

    public String hex() {
        return HexFormat.of().formatHex(digest);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CacheKey key && Arrays.equals(digest, key.digest);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return model + ":" + hex();
    }
}
