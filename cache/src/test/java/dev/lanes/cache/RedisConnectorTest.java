package dev.lanes.cache;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisConnectorTest {
    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger builds = new AtomicInteger();
    private volatile boolean redisAnswers;
    private volatile CountDownLatch buildMayFinish = new CountDownLatch(0);

    private RedisConnector connector() {
        return new RedisConnector(() -> {
            builds.incrementAndGet();
            try {
                buildMayFinish.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (!redisAnswers) {
                throw new JedisConnectionException("All sentinels down");
            }
            // built, never connected: a pooled client opens no connection until a command
            return new RedisClients.Connected(RedisClient.builder().hostAndPort("127.0.0.1", 1).build(), key -> null);
        }, 1_000, now::get);
    }

    @Test
    void aFailedBuild_isRetriedOncePerInterval_thenTheClientIsKept() {
        try (RedisConnector connector = connector()) {
            assertNull(connector.await(Duration.ofSeconds(10)), "no client while Redis is down");
            assertTrue(connector.lastFailure().getMessage().contains("All sentinels down"));
            now.addAndGet(999);
            JedisConnectionException waiting = assertThrows(JedisConnectionException.class, connector::client);
            assertTrue(waiting.getMessage().contains("All sentinels down"), "the last cause is told: " + waiting.getMessage());
            assertEquals(1, builds.get(), "no second try within the interval");
            redisAnswers = true;
            now.addAndGet(1);
            RedisClients.Connected connected = connector.await(Duration.ofSeconds(10));
            assertNotNull(connected);
            assertSame(connected, connector.client());
            assertEquals(2, builds.get(), "built once more, then kept");
        }
    }

    @Test
    void callers_neverWaitForABuild_andOnlyOneBuildRunsAtATime() throws Exception {
        redisAnswers = true;
        buildMayFinish = new CountDownLatch(1);
        try (RedisConnector connector = connector()) {
            for (int i = 0; i < 50; i++) {
                assertThrows(JedisConnectionException.class, connector::client, "a build in progress fails callers at once");
            }
            buildMayFinish.countDown();
            assertNotNull(connector.await(Duration.ofSeconds(10)));
            assertEquals(1, builds.get());
        }
    }

    @Test
    void reset_dropsTheClient_andTheNextCallBuildsANewOne() {
        redisAnswers = true;
        try (RedisConnector connector = connector()) {
            RedisClients.Connected first = connector.await(Duration.ofSeconds(10));
            connector.reset();
            now.addAndGet(1_000);
            RedisClients.Connected second = connector.await(Duration.ofSeconds(10));
            assertNotNull(second);
            assertTrue(first != second, "a new client after the reset");
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
