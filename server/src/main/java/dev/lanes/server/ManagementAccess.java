package dev.lanes.server;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.server.config.ManagementSettings;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may change the node: with a management token configured, state-changing endpoints need
 * {@code Authorization: Bearer <token>} (the same {@code authorization} metadata over gRPC), and
 * inference too when so configured. Without a token everything is open, as in Triton.
 */
public final class ManagementAccess {
    private static final String SCHEME = "bearer ";

    private final Optional<byte[]> tokenDigest;
    private final boolean protectInference;

    public ManagementAccess(ManagementSettings settings) {
        this.tokenDigest = settings.token().map(ManagementAccess::digest);
        this.protectInference = settings.protectInference();
    }

    /** @param authorization the Authorization header or metadata value, or null */
    public void checkManagement(String authorization) {
        check(authorization);
    }

    public void checkInference(String authorization) {
        if (protectInference) {
            check(authorization);
        }
    }

    private void check(String authorization) {
        if (tokenDigest.isEmpty()) {
            return;
        }
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            throw new InferenceException(ErrorKind.UNAUTHENTICATED,
                    "this endpoint needs the management token: Authorization: Bearer <token>");
        }
        // Digests have one length whatever the input, so the comparison's time says nothing.
        byte[] given = digest(authorization.substring(SCHEME.length()).trim());
        if (!MessageDigest.isEqual(given, tokenDigest.get())) {
            throw new InferenceException(ErrorKind.PERMISSION_DENIED, "the bearer token is not the management token");
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
