package dev.lanes.cache;

import dev.lanes.cache.testing.RedisProcess;
import dev.lanes.cache.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS with a CA made here by openssl, and an ACL user allowed only the cache's commands and keys,
 * against a real Redis that speaks nothing but TLS. Every refusal fails open.
 */
class RedisSecurityIT {
    private static final String PASSWORD = "s3cret-" + System.nanoTime();
    @TempDir
    static Path dir;
    static TestCertificates certificates;
    static TestCertificates otherName;
    static RedisProcess redis;
    static RedisProcess misnamed;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create(dir.resolve("certs"), "IP:127.0.0.1");
        otherName = TestCertificates.create(dir.resolve("other-certs"), "DNS:redis.elsewhere.example");
        List<String> acl = List.of("--user", "default", "off", "--user", "lanes", "on", ">" + PASSWORD,
                "~lanes-test:*", "+@read", "+@write", "+@connection");
        redis = RedisProcess.tlsServer(dir.resolve("redis"), certificates, acl);
        misnamed = RedisProcess.tlsServer(dir.resolve("misnamed"), otherName, acl);
    }

    @AfterAll
    static void stop() {
        redis.kill();
        misnamed.kill();
    }

    private static RedisSettings settings(RedisProcess server, String password, Path ca) {
        return new RedisSettings(URI.create("rediss://lanes@" + server.address()), Duration.ofMillis(1000),
                Duration.ofMinutes(1), "lanes-test:", 2, 5, Duration.ofMillis(200))
                .withPassword(password).withAccess("lanes", true, ca);
    }

    @Test
    void tlsTrustingTheTestCa_asTheAclUser_storesAndHits() {
        try (RedisPredictionCache cache = new RedisPredictionCache(settings(redis, PASSWORD,
                certificates.caCertificate()))) {
            CacheKey key = PredictionCacheContract.key("secure", 1);
            cache.put(key, PredictionCacheContract.value(100, 1));
            Lookup lookup = cache.get(key);
            assertEquals(Lookup.Result.HIT, lookup.result());
            assertArrayEquals(PredictionCacheContract.value(100, 1), lookup.value());
        }
    }

    @Test
    void aWrongPassword_isReportedOnceAtStartNamingTheCause_andEveryCallFailsOpen() {
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(RedisPredictionCache.class.getName());
        logger.addHandler(capture);
        try (RedisPredictionCache cache = new RedisPredictionCache(settings(redis, "not-the-password",
                certificates.caCertificate()))) {
            cache.checkAtStart();
            for (int i = 0; i < 20; i++) {
                assertEquals(Lookup.Result.ERROR, cache.get(PredictionCacheContract.key("secure", i)).result());
            }
        } finally {
            logger.removeHandler(capture);
        }
        assertEquals(1, warnings.size(), () -> "one warning, at start, not one per request: " + warnings.stream()
                .map(LogRecord::getMessage).toList());
        String message = warnings.getFirst().getMessage();
        assertTrue(message.contains("refused the credentials") && message.contains("WRONGPASS")
                && message.contains("lanes.cache.redis.user"), message);
        assertFalse(message.contains("not-the-password"), "the password is never logged: " + message);
    }

    @Test
    void withoutTheCa_orWithACertificateForAnotherName_theServerIsNotTrusted() {
        try (RedisPredictionCache jvmTrustStore = new RedisPredictionCache(settings(redis, PASSWORD, null));
             RedisPredictionCache wrongName = new RedisPredictionCache(settings(misnamed, PASSWORD,
                     otherName.caCertificate()))) {
            CacheKey key = PredictionCacheContract.key("secure", 2);
            assertEquals(Lookup.Result.ERROR, jvmTrustStore.get(key).result(), "a private CA is not in the JVM's store");
            assertEquals(Lookup.Result.ERROR, wrongName.get(key).result(),
                    "the certificate names redis.elsewhere.example, not 127.0.0.1");
        }
    }

    @Test
    void aCaFileThatIsNotACertificate_failsTheStartNamingTheKey() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not-a-ca.pem"), "hello");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new RedisPredictionCache(settings(redis, PASSWORD, notPem)));
        assertTrue(error.getMessage().startsWith("lanes.cache.redis.tls-ca-file"), error.getMessage());
    }
}
