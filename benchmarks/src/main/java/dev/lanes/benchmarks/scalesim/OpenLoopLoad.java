package dev.lanes.benchmarks.scalesim;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load: requests leave at a fixed rate whatever the answers do, each on its own
 * virtual thread, so a slow server shows as latency and queueing rather than as a slower client
 * (no coordinated omission). Latency is measured from the scheduled send time.
 */
final class OpenLoopLoad implements AutoCloseable {
    /** What happened in one interval. */
    record Interval(long ok, long rejected, long failed, double p99Millis) {
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final HttpRequest request;
    private final Recorder latency = new Recorder(TimeUnit.MINUTES.toNanos(2), 3);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread pacer;
    private volatile double rate;
    private volatile boolean stopped;
    private Histogram interval;

    OpenLoopLoad(URI target, String body) {
        this.request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        this.pacer = Thread.ofPlatform().name("open-loop-pacer").daemon(true).start(this::pace);
    }

    void rate(double requestsPerSecond) {
        rate = requestsPerSecond;
    }

    /** Counts since the previous call; requests still outstanding count when they finish. */
    Interval sample() {
        interval = latency.getIntervalHistogram(interval);
        double p99 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1e6;
        return new Interval(ok.getAndSet(0), rejected.getAndSet(0), failed.getAndSet(0), p99);
    }

    int outstanding() {
        return outstanding.get();
    }

    /** Why requests failed, with counts. */
    Map<String, Long> failureReasons() {
        Map<String, Long> reasons = new java.util.TreeMap<>();
        failures.forEach((reason, count) -> reasons.put(reason, count.get()));
        return reasons;
    }

    private void pace() {
        long next = System.nanoTime();
        while (!stopped) {
            double current = rate;
            if (current <= 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                next = System.nanoTime();
                continue;
            }
            next += (long) (1e9 / current);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long scheduled = next;
            outstanding.incrementAndGet();
            senders.submit(() -> send(scheduled));
        }
    }

    private void send(long scheduled) {
        try {
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                ok.incrementAndGet();
                latency.recordValue(Math.max(0, System.nanoTime() - scheduled));
            } else if (status == 503) {
                rejected.incrementAndGet();
            } else {
                failed.incrementAndGet();
                failures.computeIfAbsent("HTTP " + status, k -> new AtomicLong()).incrementAndGet();
            }
        } catch (Exception e) {
            failed.incrementAndGet();
            failures.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(), k -> new AtomicLong())
                    .incrementAndGet();
        } finally {
            outstanding.decrementAndGet();
        }
    }

    /** Stops sending and waits (bounded) for the answers still out. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        pacer.join(2000);
        senders.shutdown();
        senders.awaitTermination(60, TimeUnit.SECONDS);
    }
}
