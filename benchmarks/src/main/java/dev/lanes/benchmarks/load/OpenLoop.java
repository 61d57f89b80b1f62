package dev.lanes.benchmarks.load;

import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Requests leave on a schedule (fixed rate, Poisson or evenly spaced) whatever the server does,
 * and each latency is measured from the scheduled send time, so a server that falls behind shows
 * its queueing delay instead of slowing the client down (no coordinated omission). Requests wait
 * for a free connection when all {@code maxConnections} are busy; that wait counts as latency.
 * Counts and latencies are of the requests scheduled in the measured period; the throughput is
 * the answers that arrived in it, so a server with a backlog is not credited with the answers it
 * gives while the run waits for the stragglers.
 *
 * @param rate           requests per second offered
 * @param arrival        spacing of sends
 * @param warmUp         run before measuring, results discarded
 * @param duration       measured period; requests scheduled in it count
 * @param maxConnections callers (connections) at most
 */
public record OpenLoop(double rate, Arrival arrival, Duration warmUp, Duration duration, int maxConnections)
        implements LoadLoop {
    public enum Arrival {
        POISSON, CONSTANT;

        public static Arrival parse(String text) {
            return valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** How long answers still outstanding at the end are waited for before they count as errors. */
    private static final Duration DRAIN = Duration.ofSeconds(30);

    public OpenLoop {
        if (rate <= 0 || maxConnections < 1) {
            throw new IllegalArgumentException("rate must be > 0 and connections >= 1");
        }
    }

    public static OpenLoop of(double rate, Duration duration) {
        return new OpenLoop(rate, Arrival.POISSON, Duration.ofSeconds(2), duration, 1024);
    }

    @Override
    public LoadResult run(CallerSource source, String label, OptionalLong serverPid, boolean progress) {
        Tally all = new Tally();
        Tally measured = new Tally();
        var before = source.metricsUrl().flatMap(ServerMetrics::scrape);
        LinkedBlockingDeque<Caller> idle = new LinkedBlockingDeque<>();
        Semaphore connections = new Semaphore(maxConnections);
        AtomicLong unanswered = new AtomicLong(); // measured requests still out
        AtomicLong answeredInWindow = new AtomicLong(); // successes that arrived in the measured period
        SplittableRandom random = new SplittableRandom(7);
        long start = System.nanoTime();
        long measureStart = start + warmUp.toNanos();
        long measureEnd = measureStart + duration.toNanos();
        CpuClock cpu = null;
        long maxLag = 0;
        try (Progress ignored = Progress.show(label, all, progress);
             ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            long next = start;
            while (next < measureEnd) {
                double gap = arrival == Arrival.POISSON ? -Math.log(1 - random.nextDouble()) / rate : 1 / rate;
                next += (long) (gap * 1e9);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    maxLag = Math.max(maxLag, -wait);
                }
                if (cpu == null && next >= measureStart) {
                    cpu = CpuClock.start(serverPid);
                }
                long scheduled = next;
                boolean inWindow = scheduled >= measureStart && scheduled < measureEnd;
                if (inWindow) {
                    unanswered.incrementAndGet();
                }
                senders.submit(() -> {
                    Caller caller = null;
                    try {
                        connections.acquire();
                        caller = idle.pollFirst();
                        if (caller == null) {
                            caller = source.newCaller();
                        }
                        Outcome outcome = caller.call();
                        long answered = System.nanoTime();
                        long latency = answered - scheduled;
                        if (outcome.kind() == Outcome.Kind.OK && answered >= measureStart && answered < measureEnd) {
                            answeredInWindow.incrementAndGet();
                        }
                        all.record(outcome, latency);
                        if (inWindow) {
                            measured.record(outcome, latency);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        if (caller != null) {
                            idle.addFirst(caller);
                            connections.release();
                        }
                        if (inWindow) {
                            unanswered.decrementAndGet();
                        }
                    }
                });
            }
            double clientCores = cpu == null ? Double.NaN : cpu.selfCores();
            double serverCores = cpu == null ? Double.NaN : cpu.serverCores();
            senders.shutdown();
            if (!senders.awaitTermination(DRAIN.toSeconds(), TimeUnit.SECONDS)) {
                senders.shutdownNow();
            }
            Histogram latency = measured.takeInterval();
            Counts counts = measured.counts();
            long lost = unanswered.get();
            var reasons = new java.util.TreeMap<>(all.reasons());
            if (lost > 0) {
                reasons.put("no answer within " + DRAIN.toSeconds() + " s after the run", lost);
                counts = new Counts(counts.ok(), counts.rejected(), counts.errors() + lost);
            }
            if (maxLag > 50_000_000L) {
                reasons.put(String.format("generator fell %.0f ms behind its schedule", maxLag / 1e6), 0L);
            }
            idle.forEach(Caller::close);
            double seconds = duration.toNanos() / 1e9;
            LoadResult.MetricsCheck check = MetricsChecks.compare(source, before, all.counts());
            return new LoadResult(label, "open", source.protocolLabel(), 0, rate, seconds, answeredInWindow.get() / seconds,
                    counts, Latency.of(latency), true, List.of(), reasons, clientCores, serverCores, check);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
