package dev.lanes.runtime.testing;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Runs one JMH benchmark class once, briefly and in this JVM, so a benchmark broken by a code
 * change fails the build instead of the next measurement. Scores are not looked at beyond being
 * positive. (The cache and autoscale-signals modules, which may not depend on this one, keep
 * their own copy.)
 */
public final class JmhSmoke {
    private JmhSmoke() {
    }

    /** The benchmark methods that ran, each with a positive score; fails on any benchmark error. */
    public static Set<String> runOnce(Class<?> benchmark) throws RunnerException {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(Pattern.quote(benchmark.getName() + "."))
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .shouldFailOnError(true)
                .build()).run();
        Set<String> methods = new TreeSet<>();
        for (RunResult result : results) {
            if (!(result.getPrimaryResult().getScore() > 0)) {
                throw new AssertionError(result.getParams().getBenchmark() + " scored " + result.getPrimaryResult().getScore());
            }
            methods.add(result.getParams().getBenchmark().replaceAll(".*\\.", ""));
        }
        return methods;
    }
}
