package dev.lanes.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server that falls behind is credited with what it answered in the window, not after it. */
class OpenLoopTest {
    /** Answers one request per 50 ms on its one connection: 20 per second at most (the park is its service time). */
    private static final class SlowServer implements CallerSource {
        @Override
        public Caller newCaller() {
            return new Caller() {
                @Override
                public Outcome call() {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                    return Outcome.OK;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public String protocolLabel() {
            return "fake";
        }

        @Override
        public String model() {
            return "slow";
        }
    }

    @Test
    void aBackloggedServersThroughputCountsOnlyTheAnswersInTheWindow() {
        // 100 requests/s offered for 1 s to a server that can answer 20: a backlog of some 80,
        // answered during the drain after the window
        OpenLoop open = new OpenLoop(100, OpenLoop.Arrival.CONSTANT, Duration.ZERO, Duration.ofSeconds(1), 1);
        LoadResult result = open.run(new SlowServer(), "backlog", OptionalLong.empty(), false);
        long scheduled = result.counts().ok() + result.counts().rejected() + result.counts().errors();
        assertTrue(Math.abs(scheduled - 100) <= 1, "100 scheduled in the window: " + scheduled);
        assertEquals(scheduled, result.counts().ok(), "every scheduled request was answered in the end");
        // one connection, 50 ms a call: at most 21 answers fall in one second
        assertTrue(result.throughput() <= 21, "throughput " + result.throughput() + " req/s");
        assertTrue(result.throughput() > 0, "the answers in the window are counted: " + result.throughput());
    }
}
