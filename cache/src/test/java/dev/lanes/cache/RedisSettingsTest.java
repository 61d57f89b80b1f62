package dev.lanes.cache;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisSettingsTest {
    @Test
    void userInfo_isUserThenPassword_asRfc3986Says() {
        RedisSettings both = RedisSettings.of("redis://alice:s3cret@cache:6380/2");
        assertEquals("alice", both.user());
        assertEquals("s3cret", both.password());
        assertEquals(new RedisTopology.Standalone(new RedisAddress("cache", 6380), 2), both.topology());
        assertEquals(new RedisAddress("cache", 6379), ((RedisTopology.Standalone) RedisSettings.of("rediss://cache")
                .topology()).address(), "Redis' port by default");
        assertTrue(RedisSettings.of("rediss://cache").tls());
        RedisSettings passwordOnly = RedisSettings.of("redis://:s3cret@cache");
        assertNull(passwordOnly.user(), "the default user");
        assertEquals("s3cret", passwordOnly.password());
        RedisSettings aclUser = RedisSettings.of("redis://alice@cache").withPassword("from-file");
        assertEquals("alice", aclUser.user(), "a user name alone, with the password from a file");
        assertEquals("from-file", aclUser.password());
        assertNull(RedisSettings.of("redis://alice@cache").password());
        assertNull(RedisSettings.of("redis://cache").user());
    }

    @Test
    void addressLists_areParsedAndBounded() {
        assertEquals(List.of(new RedisAddress("a", 26379), new RedisAddress("::1", 26380)),
                RedisAddress.parseList("a:26379, [::1]:26380", "k"));
        for (String bad : List.of("", "a", "a:", ":1", "a:0", "a:65536", "a:x", "::1:5", "a:1,a:1", "a:1,,b:2")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RedisAddress.parseList(bad, "lanes.cache.redis.sentinels"), bad);
            assertTrue(e.getMessage().startsWith("lanes.cache.redis.sentinels"), e.getMessage());
        }
        String many = String.join(",", java.util.stream.IntStream.rangeClosed(1, RedisAddress.MAX_PER_LIST + 1)
                .mapToObj(i -> "h:" + i).toList());
        assertThrows(IllegalArgumentException.class, () -> RedisAddress.parseList(many, "k"));
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> RedisAddress.parseList("redis://:s3cret@cache:6379", "lanes.cache.redis.cluster"));
        assertFalse(url.getMessage().contains("s3cret"), url.getMessage());
    }

    @Test
    void topologies_refuseWhatCannotWork() {
        List<RedisAddress> one = List.of(new RedisAddress("s", 26379));
        assertThrows(IllegalArgumentException.class, () -> new RedisTopology.Sentinel(List.of(), "m", 0));
        assertThrows(IllegalArgumentException.class, () -> new RedisTopology.Sentinel(one, "", 0));
        assertThrows(IllegalArgumentException.class, () -> new RedisTopology.Sentinel(one, "my master", 0));
        assertThrows(IllegalArgumentException.class, () -> new RedisTopology.Sentinel(one, "m", -1));
        assertThrows(IllegalArgumentException.class, () -> new RedisTopology.Cluster(List.of()));
        RedisSettings sentinel = RedisSettings.of(new RedisTopology.Sentinel(one, "mymaster", 0))
                .withAccess("lanes", true, null).withPassword("s3cret");
        assertEquals("lanes", sentinel.user());
        assertTrue(sentinel.tls());
        String shown = sentinel.toString();
        assertTrue(shown.contains("mymaster") && shown.contains("s:26379"), shown);
        assertFalse(shown.contains("s3cret"), shown);
    }

    @Test
    void neitherToStringNorErrors_showThePassword() {
        assertFalse(RedisSettings.of("redis://alice:s3cret@cache").toString().contains("s3cret"));
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                () -> RedisSettings.of("redis://:s3cret@cache:port x"));
        assertFalse(malformed.getMessage().contains("s3cret"), malformed.getMessage());
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
                () -> RedisSettings.of("http://:s3cret@cache"));
        assertFalse(scheme.getMessage().contains("s3cret"), scheme.getMessage());
    }
}
