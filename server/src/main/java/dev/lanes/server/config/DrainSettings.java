package dev.lanes.server.config;

import java.time.Duration;

/**
 * What a node does on SIGTERM: readiness turns 503 at once, inference is still served for
 * {@code grace} so load balancers stop routing to the node, then new inference is refused and the
 * requests already admitted get up to {@code timeout} to finish. Within that timeout the REST port
 * then stays open until it has been {@code quiet} (no connection, request byte or answer) for that
 * long, so a keep-alive client that was just answered is told 503 rather than finding its next
 * request cut off; then the process exits. Kubernetes' terminationGracePeriodSeconds must exceed
 * grace + timeout.
 */
public record DrainSettings(Duration grace, Duration timeout, Duration quiet) {
    public static final DrainSettings DEFAULT = new DrainSettings(Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofSeconds(1));
    /** For tests and tools that stop nodes at once. */
    public static final DrainSettings IMMEDIATE = new DrainSettings(Duration.ZERO, Duration.ofSeconds(30), Duration.ZERO);

    public DrainSettings {
        Bounds.within(ConfigKeys.DRAIN_GRACE, grace, Duration.ZERO, Duration.ofMinutes(10));
        Bounds.within(ConfigKeys.DRAIN_TIMEOUT, timeout, Duration.ZERO, Duration.ofHours(1));
        Bounds.within(ConfigKeys.DRAIN_QUIET, quiet, Duration.ZERO, Duration.ofMinutes(1));
    }
}
