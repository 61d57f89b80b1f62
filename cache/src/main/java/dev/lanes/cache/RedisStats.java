package dev.lanes.cache;

/** What the Redis backend reports beyond lookups: which endpoint failed, and failovers it followed. */
public interface RedisStats {
    /** A command to {@code endpoint} ({@code host:port}, or {@code unknown}) failed. */
    void error(String endpoint);

    /** The Sentinels named a new master, {@code newMaster}, and the cache now sends there. */
    void failover(String newMaster);

    static RedisStats none() {
        return new RedisStats() {
            @Override
            public void error(String endpoint) {
            }

            @Override
            public void failover(String newMaster) {
            }
        };
    }
}
