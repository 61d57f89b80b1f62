package dev.lanes.cache;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RedisSettingsTest {
    @Test
    void userInfo_isUserThenPassword_asRfc3986Says() {
        RedisSettings both = RedisSettings.of("redis://alice:s3cret@cache:6380/2");
        assertEquals("alice", both.user());
        assertEquals("s3cret", both.password());
        assertEquals(6380, both.port());
        assertEquals(2, both.database());
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
