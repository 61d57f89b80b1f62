package dev.lanes.cache;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisConnectorTest {
    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger builds = new AtomicInteger();
    private volatile boolean redisAnswers;

    private RedisConnector connector() {
        return new RedisConnector(() -> {
            builds.incrementAndGet();
            if (!redisAnswers) {
                throw new JedisConnectionException("All sentinels down");
            }
            // built, never connected: a pooled client opens no connection until a command
            return new RedisClients.Connected(RedisClient.builder().hostAndPort("127.0.0.1", 1).build(), key -> "x");
        }, 1_000, now::get);
    }

    @Test
    void aFailedBuild_isRetriedOncePerInterval_thenTheClientIsKept() {
        try (RedisConnector connector = connector()) {
            assertThrows(JedisConnectionException.class, connector::client);
            now.addAndGet(999);
            JedisConnectionException waiting = assertThrows(JedisConnectionException.class, connector::client);
            assertTrue(waiting.getMessage().contains("All sentinels down"), "the last cause is told: " + waiting.getMessage());
            assertEquals(1, builds.get(), "no second try within the interval");
            redisAnswers = true;
            now.addAndGet(1);
            RedisClients.Connected connected = connector.client();
            assertSame(connected, connector.client());
            assertEquals(2, builds.get(), "built once, then kept");
        }
    }

    @Test
    void afterClose_nothingIsBuilt() {
        redisAnswers = true;
        RedisConnector connector = connector();
        connector.close();
        assertThrows(JedisConnectionException.class, connector::client);
        assertEquals(0, builds.get());
    }
}
