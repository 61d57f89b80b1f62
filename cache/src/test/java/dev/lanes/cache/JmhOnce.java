package dev.lanes.cache;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Runs one JMH benchmark class once, briefly and in this JVM, failing on any benchmark error: this
 * module's copy of model-runtime's JmhSmoke, which it may not depend on.
 */
final class JmhOnce {
    private JmhOnce() {
    }

    static Collection<RunResult> run(Class<?> benchmark) throws RunnerException {
        return new Runner(new OptionsBuilder()
                .include(Pattern.quote(benchmark.getName() + "."))
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .shouldFailOnError(true)
                .build()).run();
    }
}
