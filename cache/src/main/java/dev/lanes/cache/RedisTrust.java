package dev.lanes.cache;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * TLS to Redis trusting the CA certificates of one PEM file (a private CA, as managed Redis and
 * operators issue), instead of the JVM's trust store. Read once, when the cache is built.
 */
public final class RedisTrust {
    /** A CA bundle is a few KiB; a bound keeps a wrong file (an image, a log) out of memory. */
    private static final long MAX_FILE_BYTES = 1 << 20;

    private RedisTrust() {
    }

    public static SSLSocketFactory socketFactory(Path caFile) {
        String key = "lanes.cache.redis.tls-ca-file";
        try {
            if (Files.size(caFile) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(key + ": " + caFile + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            Collection<? extends Certificate> certificates;
            try (InputStream in = Files.newInputStream(caFile)) {
                certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(key + ": " + caFile + " holds no PEM certificate");
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot read " + caFile + " (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(key + ": " + caFile + " is not a PEM CA certificate (" + e.getMessage() + ")");
        }
    }
}
