package dev.lanes.benchmarks.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Whether a soak passed: no resource still growing in the last third of the run (its mean above
 * the middle third's by more than a tenth and a small absolute slack: a level reached after
 * warm-up passes, a climb does not), no request failed other than by a 503, the load never had
 * to skip sends (a stalled node would otherwise show as fewer requests), Redis came back after its
 * outage, and every reload answered 200.
 */
record Verdict(boolean passed, String report) {
    private record Resource(String name, ToLongFunction<Sample> reading, long slack, String unit, int shift) {
    }

    private static final List<Resource> RESOURCES = List.of(
            new Resource("resident memory", Sample::residentBytes, 48L << 20, "MiB", 20),
            new Resource("heap after GC", Sample::heapAfterGcBytes, 24L << 20, "MiB", 20),
            new Resource("direct buffers", Sample::directBytes, 16L << 20, "MiB", 20),
            new Resource("threads", Sample::threads, 8, "", 0),
            new Resource("open files", Sample::openFiles, 8, "", 0));

    /** @param redisProblem why the Redis outage did not happen as planned, or null */
    static Verdict of(List<Sample> samples, Map<String, Long> failures, int reloads, int reloadFailures,
                      String redisProblem) {
        StringBuilder report = new StringBuilder();
        boolean passed = true;
        if (samples.size() < 9) {
            return new Verdict(false, "soak: FAIL only " + samples.size() + " samples; run at least 90 s\n");
        }
        int third = samples.size() / 3;
        List<Sample> middle = samples.subList(third, 2 * third);
        List<Sample> last = samples.subList(2 * third, samples.size());
        for (Resource resource : RESOURCES) {
            double before = mean(middle, resource.reading());
            double after = mean(last, resource.reading());
            if (before < 0 || after < 0) {
                report.append(String.format(Locale.ROOT, "soak: SKIP %s: not reported%n", resource.name()));
                continue;
            }
            double allowed = before + Math.max(0.1 * before, resource.slack());
            boolean grows = after > allowed;
            passed &= !grows;
            report.append(String.format(Locale.ROOT, "soak: %s %s: middle third %.1f%s, last third %.1f%s (allowed %.1f%s)%n",
                    grows ? "FAIL" : "PASS", resource.name(), before / (1L << resource.shift()), resource.unit(),
                    after / (1L << resource.shift()), resource.unit(), allowed / (1L << resource.shift()), resource.unit()));
        }
        long ok = samples.stream().mapToLong(Sample::ok).sum();
        long rejected = samples.stream().mapToLong(Sample::rejected).sum();
        long failed = samples.stream().mapToLong(Sample::failed).sum();
        long skipped = samples.stream().mapToLong(Sample::skipped).sum();
        boolean clean = failed == 0 && skipped == 0;
        passed &= clean;
        report.append(String.format(Locale.ROOT, "soak: %s requests: %d answered, %d refused with 503, %d failed, "
                        + "%d not sent (too many unanswered)%s%n", clean ? "PASS" : "FAIL", ok, rejected, failed, skipped,
                failures.isEmpty() ? "" : " " + failures));
        passed &= redisProblem == null;
        report.append(redisProblem == null ? "soak: PASS Redis killed and back\n" : "soak: FAIL " + redisProblem + "\n");
        passed &= reloadFailures == 0;
        report.append(String.format(Locale.ROOT, "soak: %s reloads: %d, %d failed%n",
                reloadFailures == 0 ? "PASS" : "FAIL", reloads, reloadFailures));
        report.append(passed ? "soak: PASSED\n" : "soak: FAILED\n");
        return new Verdict(passed, report.toString());
    }

    private static double mean(List<Sample> samples, ToLongFunction<Sample> reading) {
        List<Long> values = new ArrayList<>();
        for (Sample sample : samples) {
            values.add(reading.applyAsLong(sample));
        }
        if (values.stream().anyMatch(value -> value < 0)) {
            return -1;
        }
        return values.stream().mapToLong(Long::longValue).average().orElse(-1);
    }
}
