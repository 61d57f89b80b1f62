package dev.lanes.server.config;

import java.time.Duration;

/**
 * What a node does on SIGTERM: readiness turns 503 at once, inference is still served for
 * {@code grace} so load balancers stop routing to the node, then new inference is refused and the
 * requests already admitted get up to {@code timeout} to finish before the process exits.
 * Kubernetes' terminationGracePeriodSeconds must exceed their sum.
 */
public record DrainSettings(Duration grace, Duration timeout) {
    public static final DrainSettings DEFAULT = new DrainSettings(Duration.ofSeconds(5), Duration.ofSeconds(30));
    /** For tests and tools that stop nodes at once. */
    public static final DrainSettings IMMEDIATE = new DrainSettings(Duration.ZERO, Duration.ofSeconds(30));

    public DrainSettings {
        Bounds.within(ConfigKeys.DRAIN_GRACE, grace, Duration.ZERO, Duration.ofMinutes(10));
        Bounds.within(ConfigKeys.DRAIN_TIMEOUT, timeout, Duration.ZERO, Duration.ofHours(1));
    }
}
