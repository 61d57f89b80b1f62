package dev.lanes.signals.hpa;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Worked examples from the Kubernetes documentation of the HPA algorithm. */
class HorizontalPodAutoscalerTest {
    private static List<Double> each(int pods, double value) {
        return Collections.nCopies(pods, value);
    }

    @Test
    void recommend_200mAgainst100m_doublesTheReplicas() {
        assertEquals(8, HorizontalPodAutoscaler.recommend(4, each(4, 0.2), 0, 0.1, 0.1));
    }

    @Test
    void recommend_50mAgainst100m_halvesTheReplicas() {
        assertEquals(2, HorizontalPodAutoscaler.recommend(4, each(4, 0.05), 0, 0.1, 0.1));
    }

    @Test
    void recommend_50ReplicasAt90PercentAgainst75_gives60() {
        assertEquals(60, HorizontalPodAutoscaler.recommend(50, each(50, 90), 0, 75, 0.1));
    }

    @Test
    void recommend_withinTenPercent_keepsTheReplicas() {
        assertEquals(5, HorizontalPodAutoscaler.recommend(5, each(5, 109), 0, 100, 0.1));
        assertEquals(5, HorizontalPodAutoscaler.recommend(5, each(5, 91), 0, 100, 0.1));
        assertEquals(6, HorizontalPodAutoscaler.recommend(5, each(5, 111), 0, 100, 0.1), "ceil(5 × 1.11) = 6");
    }

    @Test
    void recommend_missingPods_countAsZeroUpAndAsTargetDown() {
        // 2 pods at 300 % of target, 2 missing: scaling up assumes the missing at 0 → ratio 1.5 over 4 pods → 6.
        assertEquals(6, HorizontalPodAutoscaler.recommend(4, each(2, 30), 2, 10, 0.1));
        // 2 pods at 0, 2 missing: scaling down assumes the missing at target → ratio 0.5 over 4 pods → 2.
        assertEquals(2, HorizontalPodAutoscaler.recommend(4, each(2, 0), 2, 10, 0.1));
        // 2 pods at 110 %, 2 missing taken as 0 flips the direction: no change.
        assertEquals(4, HorizontalPodAutoscaler.recommend(4, each(2, 12), 2, 10, 0.1));
    }

    @Test
    void reconcile_scaleUp_isLimitedTo100PercentOr4PodsPer15Seconds() {
        HorizontalPodAutoscaler hpa = new HorizontalPodAutoscaler(1, 20, 10, 0.1,
                ScalingBehavior.defaultScaleUp(), ScalingBehavior.defaultScaleDown());
        assertEquals(5, hpa.reconcile(0, 1, each(1, 150), 0), "from 1: max(1 + 4 pods, 2 × 1)");
        assertEquals(5, hpa.reconcile(5_000, 5, each(5, 30), 0), "4 pods already added in this 15 s period");
        assertEquals(10, hpa.reconcile(16_000, 5, each(5, 30), 0), "a new period: 100 % of 5");
    }

    @Test
    void reconcile_scaleDown_waitsForTheHighestRecommendationOfTheWindow() {
        ScalingBehavior down = new ScalingBehavior(Duration.ofSeconds(60),
                List.of(new ScalingBehavior.Policy(ScalingBehavior.Policy.Type.PERCENT, 100, Duration.ofSeconds(15))),
                ScalingBehavior.Select.MAX);
        HorizontalPodAutoscaler hpa = new HorizontalPodAutoscaler(1, 10, 10, 0.1, ScalingBehavior.defaultScaleUp(), down);
        assertEquals(4, hpa.reconcile(0, 4, each(4, 10), 0));
        assertEquals(4, hpa.reconcile(30_000, 4, each(4, 2), 0), "a recommendation of 4 is still in the window");
        assertEquals(1, hpa.reconcile(61_000, 4, each(4, 2), 0), "the window has passed");
    }

    @Test
    void reconcile_staysWithinMinAndMax() {
        HorizontalPodAutoscaler hpa = new HorizontalPodAutoscaler(2, 3, 10, 0.1,
                ScalingBehavior.defaultScaleUp(), new ScalingBehavior(Duration.ZERO,
                List.of(new ScalingBehavior.Policy(ScalingBehavior.Policy.Type.PERCENT, 100, Duration.ofSeconds(15))),
                ScalingBehavior.Select.MAX));
        assertEquals(3, hpa.reconcile(0, 2, each(2, 100), 0));
        assertEquals(2, hpa.reconcile(100_000, 3, each(3, 0), 0));
    }
}
