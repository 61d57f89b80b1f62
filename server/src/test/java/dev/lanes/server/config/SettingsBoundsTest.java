package dev.lanes.server.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every number the node's own configuration carries is bounded, the message naming key and bound (issue 17). */
class SettingsBoundsTest {
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "lanes.server.max-request-size|3000000000|between 1024 and 2147483647",
            "lanes.server.max-tensor-elements|0|between 1 and 2147483647",
            "lanes.server.drain-timeout|PT2H|between PT0S and PT1H",
            "lanes.server.drain-grace|PT1H|between PT0S and PT10M",
            "lanes.server.drain-quiet|PT2M|between PT0S and PT1M",
            "lanes.repository-poll-interval|P2D|at most PT24H",
            "lanes.http.idle-timeout|P2D|between PT0.1S and PT24H",
            "lanes.http.max-connections|0|between 1 and 1000000",
            "lanes.http.max-request-line|100|between 256 and 1048576",
            "lanes.grpc.max-concurrent-calls-per-connection|0|between 1 and 100000",
            "lanes.runtime.default-max-batch-size|1000000|between 1 and 65536",
            "lanes.runtime.default-max-queue-size|0|between 1 and 1048576",
            "lanes.runtime.buffer-pool-size|-1|lanes.runtime.buffer-pool-size",
            "lanes.cache.local.max-size|100000000000000|the heap",
            "lanes.cache.local.ttl|P100D|at most PT720H",
    })
    void anOutOfBoundsValue_stopsTheStart_namingKeyAndBound(String key, String value, String bound) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ServerConfig.create(
                LanesConfig.load(Map.of(key, value), Optional.empty(), Map.of())));
        assertTrue(error.getMessage().contains(key), error.getMessage());
        assertTrue(error.getMessage().contains(bound), error.getMessage());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "lanes.cache.redis.pool-size|5000|between 1 and 1024",
            "lanes.cache.redis.timeout|PT5M|at most PT1M",
            "lanes.cache.redis.breaker-open-time|PT2H|between 0 and PT1H",
    })
    void redisSettings_outOfBounds_nameTheirKeys(String key, String value, String bound) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ServerConfig.create(
                LanesConfig.load(Map.of("lanes.cache.redis.url", "redis://127.0.0.1:6379", key, value),
                        Optional.empty(), Map.of())));
        assertTrue(error.getMessage().contains(key), error.getMessage());
        assertTrue(error.getMessage().contains(bound), error.getMessage());
    }
}
