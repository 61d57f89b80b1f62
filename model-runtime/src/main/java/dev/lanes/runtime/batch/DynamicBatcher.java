package dev.lanes.runtime.batch;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.stats.ExecutedBatch;
import dev.lanes.runtime.stats.ModelStats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A bounded queue in front of N execution instances, one named platform worker thread each. A
 * free worker forms the next batch under the lock ({@link PendingQueue}'s rule), releases the lock
 * and runs it; so batches grow naturally while every instance is busy, and no lock is held during
 * inference.
 *
 * <p>Thread-safe. {@link #offer} never blocks. Every admitted task completes exactly once: with its
 * result, or failed as expired, cancelled, or by its batch's failure.
 */
public final class DynamicBatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DynamicBatcher.class.getName());

    private final String name;
    private final BatchPolicy policy;
    private final Ticker ticker;
    private final ThreadCpuClock cpu;
    private final ModelStats stats;
    private final PendingQueue pending;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Thread> workers = new ArrayList<>();
    private volatile int queueLength;
    private final AtomicInteger executingRequests = new AtomicInteger();
    private boolean shuttingDown;

    public DynamicBatcher(String name, BatchPolicy policy, Ticker ticker, ModelStats stats) {
        this(name, policy, ticker, ThreadCpuClock.system(), stats);
    }

    /** @param cpu the instance threads' CPU clock, injected so tests can fix its readings */
    public DynamicBatcher(String name, BatchPolicy policy, Ticker ticker, ThreadCpuClock cpu, ModelStats stats) {
        this.name = name;
        this.policy = policy;
        this.ticker = ticker;
        this.cpu = cpu;
        this.stats = stats;
        this.pending = new PendingQueue(policy);
    }

    public BatchPolicy policy() {
        return policy;
    }

    public Ticker ticker() {
        return ticker;
    }

    /** Starts one worker thread per executor. */
    public void start(List<BatchExecutor> executors) {
        for (int i = 0; i < executors.size(); i++) {
            BatchExecutor executor = executors.get(i);
            Thread worker = Thread.ofPlatform().name("lanes-" + name + "-instance-" + i).daemon(true)
                    .unstarted(() -> runWorker(executor));
            workers.add(worker);
        }
        workers.forEach(Thread::start);
    }

    /** Admits a task, or says why not. Never blocks. */
    public Admission offer(InferenceTask task) {
        lock.lock();
        try {
            if (shuttingDown) {
                return Admission.SHUTTING_DOWN;
            }
            if (!pending.offer(task)) {
                return Admission.QUEUE_FULL;
            }
            queueLength = pending.size();
            changed.signal();
            return Admission.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fails a task that is still queued (its deadline passed or its caller cancelled). Returns
     * false when a worker already took it; its answer then comes from the batch as usual.
     */
    public boolean cancelQueued(InferenceTask task, InferenceException reason) {
        lock.lock();
        try {
            if (!pending.remove(task)) {
                return false;
            }
            queueLength = pending.size();
        } finally {
            lock.unlock();
        }
        task.fail(reason);
        if (reason.kind() == ErrorKind.DEADLINE_EXCEEDED) {
            stats.requestExpired();
        }
        return true;
    }

    /** Requests admitted and not yet executing: the autoscaling signal. */
    public int queueLength() {
        return queueLength;
    }

    /** Requests inside batches that are running now. */
    public int executingRequests() {
        return executingRequests.get();
    }

    /** Stops admitting; queued work still runs. */
    public void shutdown() {
        lock.lock();
        try {
            shuttingDown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the workers to drain the queue and stop. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread worker : workers) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !worker.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    /** Shuts down, drains for up to 30 s, then fails whatever is left. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * Shuts down, drains for up to {@code drain}, then fails whatever is still queued.
     *
     * @return whether every worker has stopped: only then may the instances' sessions close,
     *         since a worker still inside {@code session.run} would run on freed native memory
     */
    public boolean close(Duration drain) {
        shutdown();
        boolean stopped = false;
        try {
            stopped = awaitTermination(drain);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failRemaining();
        return stopped; // the caller, who owns the sessions, says what becomes of them
    }

    /** Whether every worker thread has ended. */
    public boolean workersStopped() {
        return workers.stream().noneMatch(Thread::isAlive);
    }

    private void failRemaining() {
        List<InferenceTask> left = new ArrayList<>();
        lock.lock();
        try {
            List<InferenceTask> batch;
            while (!(batch = pending.poll(ticker.nanos(), true)).isEmpty()) {
                left.addAll(batch);
            }
            queueLength = 0;
        } finally {
            lock.unlock();
        }
        InferenceException error = new InferenceException(ErrorKind.SHUTTING_DOWN, "model " + name + " was unloaded");
        left.forEach(task -> task.fail(error));
    }

    private void runWorker(BatchExecutor executor) {
        while (true) {
            List<InferenceTask> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            execute(executor, batch);
        }
    }

    private void execute(BatchExecutor executor, List<InferenceTask> formed) {
        long start = ticker.nanos();
        List<InferenceTask> batch = new ArrayList<>(formed.size());
        int rows = 0;
        for (InferenceTask task : formed) {
            if (task.expiredAt(start)) {
                expire(task); // it waited for a free instance past its deadline
                continue;
            }
            batch.add(task);
            stats.queueWait(start - task.enqueuedNanos());
            rows += task.rows();
        }
        if (batch.isEmpty()) {
            return;
        }
        executingRequests.addAndGet(batch.size());
        List<InferenceResult> results;
        try {
            long runStart = ticker.nanos();
            long cpuStart = cpu.nanos();
            BatchPhases phases = new BatchPhases(ticker);
            results = executor.execute(batch, phases);
            long end = ticker.nanos();
            long cpuEnd = cpu.nanos();
            long cpuNanos = cpuStart < 0 || cpuEnd < cpuStart ? -1 : cpuEnd - cpuStart;
            if (results.size() != batch.size()) {
                throw new IllegalStateException(results.size() + " results for a batch of " + batch.size());
            }
            // Clamped into order: an executor marking out of order must not make a phase negative.
            long assembled = Math.min(Math.max(phases.assembledAt(runStart), runStart), end);
            long ran = Math.min(Math.max(phases.ranAt(end), assembled), end);
            stats.batchExecuted(new ExecutedBatch(rows, batch.size(), assembled - runStart, ran - assembled, end - ran,
                    cpuNanos));
        } catch (RuntimeException | Error e) {
            // An InferenceException is the model failing on its input, reported to each caller;
            // anything else is a defect worth a stack trace.
            if (e instanceof InferenceException) {
                LOG.log(Level.FINE, name + ": batch execution failed: " + e.getMessage());
            } else {
                LOG.log(Level.SEVERE, name + ": batch execution failed", e);
            }
            InferenceException error = e instanceof InferenceException ie ? ie
                    : new InferenceException(ErrorKind.RUNTIME_FAILURE, "model " + name
                            + " failed on this batch; the node's log has the details", e); // logged above
            batch.forEach(task -> task.fail(error));
            return;
        } finally {
            executingRequests.addAndGet(-batch.size());
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).complete(results.get(i));
        }
    }

    /** The next batch to run, or null once shut down and drained. */
    private List<InferenceTask> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                long now = ticker.nanos();
                pending.removeExpired(now, this::expire);
                List<InferenceTask> batch = pending.poll(now, shuttingDown);
                queueLength = pending.size();
                if (!batch.isEmpty()) {
                    if (!pending.isEmpty()) {
                        changed.signal(); // another free worker may form the next batch now
                    }
                    return batch;
                }
                if (pending.isEmpty()) {
                    if (shuttingDown) {
                        return null;
                    }
                    changed.await();
                } else {
                    long wait = pending.nextDecisionNanos(now) - now;
                    if (wait > 0) {
                        changed.awaitNanos(wait);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The error of a request whose deadline passed while it waited in this queue. */
    public InferenceException queueTimeout() {
        return new InferenceException(ErrorKind.DEADLINE_EXCEEDED,
                "request timed out in the queue of model " + name + " before it could run");
    }

    private void expire(InferenceTask task) {
        task.fail(queueTimeout());
        stats.requestExpired();
    }

    @Override
    public String toString() {
        return "DynamicBatcher[" + name + ", queue=" + queueLength + ", executing=" + executingRequests.get()
                + ", timeout=" + TimeUnit.NANOSECONDS.toMicros(policy.defaultTimeoutNanos()) + "us]";
    }
}
