package dev.lanes.signals.hpa;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The Kubernetes HPA algorithm for one Pods (AverageValue) metric, as the controller computes it:
 * the proportional recommendation with its tolerance and missing-metric rules, the stabilization
 * windows, the scale-up and scale-down rate policies, and the min/max bounds. Used by the scaling
 * simulation to decide replicas exactly as a cluster would. Not thread-safe: one per controller
 * loop.
 */
public final class HorizontalPodAutoscaler {
    private record Recommendation(long atMillis, int replicas) {
    }

    private record ScaleEvent(long atMillis, int change) {
    }

    private final int minReplicas;
    private final int maxReplicas;
    private final double target;
    private final double tolerance;
    private final ScalingBehavior scaleUp;
    private final ScalingBehavior scaleDown;
    private final Deque<Recommendation> recommendations = new ArrayDeque<>();
    private final Deque<ScaleEvent> upEvents = new ArrayDeque<>();
    private final Deque<ScaleEvent> downEvents = new ArrayDeque<>();

    /**
     * @param target    the metric's target average value per pod
     * @param tolerance ratios within 1 ± tolerance cause no scaling (Kubernetes' default 0.1)
     */
    public HorizontalPodAutoscaler(int minReplicas, int maxReplicas, double target, double tolerance,
                                   ScalingBehavior scaleUp, ScalingBehavior scaleDown) {
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException("need 1 <= minReplicas <= maxReplicas");
        }
        if (target <= 0) {
            throw new IllegalArgumentException("target must be positive");
        }
        this.minReplicas = minReplicas;
        this.maxReplicas = maxReplicas;
        this.target = target;
        this.tolerance = tolerance;
        this.scaleUp = scaleUp;
        this.scaleDown = scaleDown;
    }

    /**
     * The documented formula, {@code desired = ceil(current × average / target)}, skipped within the
     * tolerance. Pods without a value (not ready, or missing metrics) count as 0 when scaling up and
     * as the target when scaling down; if that reverses the direction or lands within the
     * tolerance, nothing changes.
     *
     * @param values      the metric of each pod that reported one
     * @param missingPods pods that reported none
     */
    public static int recommend(int currentReplicas, List<Double> values, int missingPods, double target,
                                double tolerance) {
        if (values.isEmpty()) {
            return currentReplicas;
        }
        double sum = values.stream().mapToDouble(Double::doubleValue).sum();
        double ratio = sum / (target * values.size());
        if (missingPods == 0) {
            return Math.abs(ratio - 1) <= tolerance ? currentReplicas : (int) Math.ceil(ratio * values.size());
        }
        if (Math.abs(ratio - 1) <= tolerance) {
            return currentReplicas;
        }
        boolean up = ratio > 1;
        double assumed = sum + (up ? 0 : target * missingPods);
        int pods = values.size() + missingPods;
        double newRatio = assumed / (target * pods);
        if (Math.abs(newRatio - 1) <= tolerance || (up && newRatio < 1) || (!up && newRatio > 1)) {
            return currentReplicas;
        }
        return (int) Math.ceil(newRatio * pods);
    }

    /**
     * One controller pass at {@code nowMillis}: the replicas to run next. Records its own scale
     * events, so call it once per pass with the replicas actually running.
     */
    public int reconcile(long nowMillis, int currentReplicas, List<Double> values, int missingPods) {
        int recommended = Math.max(minReplicas, Math.min(maxReplicas,
                recommend(currentReplicas, values, missingPods, target, tolerance)));
        int stabilized = stabilize(nowMillis, currentReplicas, recommended);
        int desired = limitRate(nowMillis, currentReplicas, stabilized);
        desired = Math.max(minReplicas, Math.min(maxReplicas, desired));
        if (desired > currentReplicas) {
            upEvents.addLast(new ScaleEvent(nowMillis, desired - currentReplicas));
        } else if (desired < currentReplicas) {
            downEvents.addLast(new ScaleEvent(nowMillis, currentReplicas - desired));
        }
        return desired;
    }

    /** Scale up to the lowest, down to the highest recommendation within each window. */
    private int stabilize(long now, int current, int recommended) {
        recommendations.addLast(new Recommendation(now, recommended));
        long longest = Math.max(scaleUp.stabilizationWindow().toMillis(), scaleDown.stabilizationWindow().toMillis());
        while (!recommendations.isEmpty() && recommendations.peekFirst().atMillis() < now - longest) {
            recommendations.removeFirst();
        }
        int up = recommended;
        int down = recommended;
        for (Recommendation past : recommendations) {
            if (past.atMillis() >= now - scaleUp.stabilizationWindow().toMillis()) {
                up = Math.min(up, past.replicas());
            }
            if (past.atMillis() >= now - scaleDown.stabilizationWindow().toMillis()) {
                down = Math.max(down, past.replicas());
            }
        }
        int stabilized = current;
        if (stabilized < up) {
            stabilized = up;
        }
        if (stabilized > down) {
            stabilized = down;
        }
        return stabilized;
    }

    private int limitRate(long now, int current, int desired) {
        if (desired > current) {
            if (scaleUp.select() == ScalingBehavior.Select.DISABLED) {
                return current;
            }
            return Math.min(desired, upLimit(now, current));
        }
        if (desired < current) {
            if (scaleDown.select() == ScalingBehavior.Select.DISABLED) {
                return current;
            }
            return Math.max(desired, downLimit(now, current));
        }
        return desired;
    }

    private int upLimit(long now, int current) {
        boolean max = scaleUp.select() == ScalingBehavior.Select.MAX;
        int limit = max ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (ScalingBehavior.Policy policy : scaleUp.policies()) {
            int periodStart = current - changedWithin(upEvents, now, policy);
            int proposed = policy.type() == ScalingBehavior.Policy.Type.PODS
                    ? periodStart + policy.value()
                    : (int) Math.ceil(periodStart * (1 + policy.value() / 100.0));
            limit = max ? Math.max(limit, proposed) : Math.min(limit, proposed);
        }
        return limit;
    }

    private int downLimit(long now, int current) {
        boolean max = scaleDown.select() == ScalingBehavior.Select.MAX;
        int limit = max ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (ScalingBehavior.Policy policy : scaleDown.policies()) {
            int periodStart = current + changedWithin(downEvents, now, policy);
            int proposed = policy.type() == ScalingBehavior.Policy.Type.PODS
                    ? periodStart - policy.value()
                    : (int) (periodStart * (1 - policy.value() / 100.0));
            limit = max ? Math.min(limit, proposed) : Math.max(limit, proposed);
        }
        return limit;
    }

    private static int changedWithin(Deque<ScaleEvent> events, long now, ScalingBehavior.Policy policy) {
        int changed = 0;
        for (ScaleEvent event : events) {
            if (event.atMillis() > now - policy.period().toMillis()) {
                changed += event.change();
            }
        }
        return changed;
    }
}
