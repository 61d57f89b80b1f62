package dev.lanes.signals.hpa;

import java.time.Duration;
import java.util.List;

/**
 * One direction of an HPA's {@code behavior} (autoscaling/v2): a stabilization window, rate
 * policies, and how policies combine ({@code selectPolicy}).
 */
public record ScalingBehavior(Duration stabilizationWindow, List<Policy> policies, Select select) {
    public enum Select { MAX, MIN, DISABLED }

    /** {@code type: Pods|Percent, value, periodSeconds}. */
    public record Policy(Type type, int value, Duration period) {
        public enum Type { PODS, PERCENT }
    }

    public ScalingBehavior {
        policies = List.copyOf(policies);
    }

    /** Kubernetes' default scale-up: no stabilization; at most 100 % or 4 pods per 15 s, whichever is more. */
    public static ScalingBehavior defaultScaleUp() {
        return new ScalingBehavior(Duration.ZERO, List.of(
                new Policy(Policy.Type.PERCENT, 100, Duration.ofSeconds(15)),
                new Policy(Policy.Type.PODS, 4, Duration.ofSeconds(15))), Select.MAX);
    }

    /** Kubernetes' default scale-down: 300 s stabilization; at most 100 % per 15 s. */
    public static ScalingBehavior defaultScaleDown() {
        return new ScalingBehavior(Duration.ofSeconds(300), List.of(
                new Policy(Policy.Type.PERCENT, 100, Duration.ofSeconds(15))), Select.MAX);
    }
}
