package dev.lanes.cache;

import java.util.List;

/** Where the shared cache lives: one Redis, a master Sentinels watch, or a Redis Cluster. */
public sealed interface RedisTopology {
    /** For the start line and warnings: no credentials, bounded length. */
    String describe();

    /** One Redis server. */
    record Standalone(RedisAddress address, int database) implements RedisTopology {
        public Standalone {
            checkDatabase(database);
        }

        @Override
        public String describe() {
            return address.toString();
        }
    }

    /**
     * The master Sentinels name {@code masterName}; the client asks them where it is and follows
     * it through failovers.
     */
    record Sentinel(List<RedisAddress> sentinels, String masterName, int database) implements RedisTopology {
        public Sentinel {
            sentinels = List.copyOf(sentinels);
            if (sentinels.isEmpty()) {
                throw new IllegalArgumentException("lanes.cache.redis.sentinels names no Sentinel");
            }
            if (masterName == null || masterName.isBlank() || masterName.length() > 256
                    || !masterName.chars().allMatch(c -> c > ' ' && c < 127)) {
                throw new IllegalArgumentException("lanes.cache.redis.master-name must be 1 to 256 printable"
                        + " characters without spaces (Sentinel's name of the master)");
            }
            checkDatabase(database);
        }

        @Override
        public String describe() {
            return "master '" + masterName + "' of " + sentinels.size() + " sentinel(s) " + sentinels;
        }
    }

    /** A Redis Cluster, found from any of its seed nodes; keys spread over its slots. */
    record Cluster(List<RedisAddress> seeds) implements RedisTopology {
        public Cluster {
            seeds = List.copyOf(seeds);
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("lanes.cache.redis.cluster names no node");
            }
        }

        @Override
        public String describe() {
            return "cluster seeded by " + seeds;
        }
    }

    private static void checkDatabase(int database) {
        // Redis' own default is 16 databases; a larger number is a configuration of its own, still bounded.
        if (database < 0 || database > 10_000) {
            throw new IllegalArgumentException("a Redis database number must be between 0 and 10000, got " + database);
        }
    }
}
