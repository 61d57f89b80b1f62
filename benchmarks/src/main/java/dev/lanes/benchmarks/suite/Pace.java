package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.ClosedLoop;
import dev.lanes.benchmarks.load.OpenLoop;

import java.time.Duration;

/**
 * How long each measurement runs. The full pace gives stable windows on this machine; the quick
 * pace only proves the instruments work (the test suite's smoke run) and its numbers mean little.
 */
record Pace(Duration warmUp, Duration window, int maxWindows, Duration openDuration, Duration slowModelWindow,
            Duration jitSettleLimit) {
    static final Pace FULL = new Pace(Duration.ofSeconds(3), Duration.ofSeconds(2), 8, Duration.ofSeconds(8),
            Duration.ofSeconds(5), Duration.ofSeconds(120));
    /** No JIT settling: the smoke run only proves the instruments work. */
    static final Pace QUICK = new Pace(Duration.ofMillis(300), Duration.ofMillis(300), 3, Duration.ofSeconds(1),
            Duration.ofMillis(500), Duration.ZERO);

    ClosedLoop closed(int concurrency) {
        return new ClosedLoop(concurrency, warmUp, window, maxWindows, 0.10);
    }

    /** For models whose requests take tens of milliseconds, so a window holds enough of them. */
    ClosedLoop closedSlow(int concurrency) {
        return new ClosedLoop(concurrency, warmUp, slowModelWindow, maxWindows, 0.10);
    }

    OpenLoop open(double rate) {
        return new OpenLoop(rate, OpenLoop.Arrival.POISSON, warmUp, openDuration, 1024);
    }
}
