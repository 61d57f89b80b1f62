package dev.lanes.benchmarks.load;

import org.HdrHistogram.Histogram;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed number of callers, each sending its next request as soon as the previous one is
 * answered (perf_analyzer's concurrency mode). After the warm-up it measures windows until the
 * last three agree within the tolerance (each within it of their mean) or the window limit is
 * reached, and reports those three windows.
 *
 * @param concurrency callers
 * @param warmUp      run before measuring, results discarded
 * @param window      length of one measurement window
 * @param maxWindows  give up on stability after this many windows (the result says unstable)
 * @param tolerance   e.g. 0.10 for three windows within 10 %
 */
public record ClosedLoop(int concurrency, Duration warmUp, Duration window, int maxWindows, double tolerance)
        implements LoadLoop, Serializable {
    private static final int STABLE_WINDOWS = 3;

    public ClosedLoop {
        if (concurrency < 1 || maxWindows < STABLE_WINDOWS) {
            throw new IllegalArgumentException("concurrency must be >= 1 and max windows >= 3");
        }
    }

    public static ClosedLoop of(int concurrency) {
        return new ClosedLoop(concurrency, Duration.ofSeconds(2), Duration.ofSeconds(2), 8, 0.10);
    }

    @Override
    public LoadResult run(CallerSource source, String label, OptionalLong serverPid, boolean progress) {
        Tally tally = new Tally();
        var before = source.metricsUrl().flatMap(ServerMetrics::scrape);
        var running = new AtomicBoolean(true);
        try (Progress ignored = Progress.show(label, tally, progress)) {
            Outstanding outstanding = source.asyncCaller()
                    .map(async -> startAsync(async, tally, running))
                    .orElseGet(() -> startBlocking(source, tally, running));
            sleep(warmUp);
            tally.takeInterval();
            CpuClock cpu = CpuClock.start(serverPid);
            List<Double> rates = new ArrayList<>();
            List<Histogram> histograms = new ArrayList<>();
            List<Counts> counts = new ArrayList<>();
            Counts previous = tally.counts();
            long windowStart = System.nanoTime();
            boolean stable = false;
            while (rates.size() < maxWindows && !stable) {
                sleep(window);
                long now = System.nanoTime();
                Counts current = tally.counts();
                Histogram latencies = tally.takeInterval();
                // Successes are counted by the window's histogram, which the recorder swaps
                // atomically; the counters are read a moment apart and could straddle a request.
                Counts delta = current.minus(previous);
                delta = new Counts(latencies.getTotalCount(), delta.rejected(), delta.errors());
                histograms.add(latencies);
                counts.add(delta);
                rates.add(delta.ok() / ((now - windowStart) / 1e9));
                previous = current;
                windowStart = now;
                stable = rates.size() >= STABLE_WINDOWS && agree(rates.subList(rates.size() - STABLE_WINDOWS, rates.size()));
            }
            double clientCores = cpu.selfCores();
            double serverCores = cpu.serverCores();
            running.set(false);
            outstanding.awaitStopped();
            int from = rates.size() - STABLE_WINDOWS;
            Histogram latency = new Histogram(3);
            Counts measured = new Counts(0, 0, 0);
            double rateSum = 0;
            for (int i = from; i < rates.size(); i++) {
                latency.add(histograms.get(i));
                measured = measured.plus(counts.get(i));
                rateSum += rates.get(i);
            }
            double seconds = STABLE_WINDOWS * window.toNanos() / 1e9;
            LoadResult.MetricsCheck check = MetricsChecks.compare(source, before, tally.counts());
            return new LoadResult(label, "closed", source.protocolLabel(), concurrency, 0, seconds,
                    rateSum / STABLE_WINDOWS, measured, Latency.of(latency), stable, List.copyOf(rates), tally.reasons(),
                    clientCores, serverCores, check);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            running.set(false);
        }
    }

    /** Requests kept outstanding until {@code running} turns false. */
    private interface Outstanding {
        void awaitStopped() throws InterruptedException;
    }

    /** One virtual thread per caller, each sending as soon as its previous answer is in. */
    private Outstanding startBlocking(CallerSource source, Tally tally, AtomicBoolean running) {
        List<Thread> workers = new ArrayList<>();
        List<Caller> callers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Caller caller = source.newCaller();
            callers.add(caller);
            workers.add(Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    Outcome outcome = caller.call();
                    tally.record(outcome, System.nanoTime() - start);
                }
            }));
        }
        return () -> {
            for (Thread worker : workers) {
                worker.join();
            }
            callers.forEach(Caller::close);
        };
    }

    /** {@code concurrency} chains of calls: each answer's callback records it and sends the next. */
    private Outstanding startAsync(AsyncCaller caller, Tally tally, AtomicBoolean running) {
        CountDownLatch stopped = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            new Chain(caller, tally, running, stopped).send();
        }
        return stopped::await;
    }

    private record Chain(AsyncCaller caller, Tally tally, AtomicBoolean running, CountDownLatch stopped) {
        void send() {
            long start = System.nanoTime();
            caller.call(outcome -> {
                tally.record(outcome, System.nanoTime() - start);
                if (!running.get()) {
                    stopped.countDown();
                } else if (outcome.kind() == Outcome.Kind.ERROR) {
                    // A failure may be reported inside call(); a new thread keeps the stack flat.
                    Thread.ofVirtual().start(this::send);
                } else {
                    send();
                }
            });
        }
    }

    private boolean agree(List<Double> last) {
        double mean = last.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return mean > 0 && last.stream().allMatch(rate -> Math.abs(rate - mean) <= tolerance * mean);
    }

    static void sleep(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }
}
