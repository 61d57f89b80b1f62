package dev.lanes.cache;

/** What the cache reports; thread-safe and cheap. {@link #disabled()} records nothing. */
public interface CacheStats {
    /** One lookup for {@code model}, and how long the backend took. */
    void lookup(String model, Lookup.Result result, long nanos);

    /** One store (encode and write), and how long it took. */
    void store(String model, long nanos);

    static CacheStats disabled() {
        return new CacheStats() {
            @Override
            public void lookup(String model, Lookup.Result result, long nanos) {
            }

            @Override
            public void store(String model, long nanos) {
            }
        };
    }
}
