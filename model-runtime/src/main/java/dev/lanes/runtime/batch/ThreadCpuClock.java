package dev.lanes.runtime.batch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time the calling thread has used, in nanoseconds, or -1 where the JVM cannot tell. The
 * batcher reads it around each batch on the instance thread: wall time minus this is the time the
 * thread waited off the CPU (preempted by request work on a busy core, or blocked), which the
 * wall-clock compute meters cannot show. With intra-op threads above 1, ONNX Runtime's own pool
 * threads do part of the work and are not counted.
 */
@FunctionalInterface
public interface ThreadCpuClock {
    long nanos();

    /** The JVM's per-thread CPU clock (clock_gettime(CLOCK_THREAD_CPUTIME_ID) on Linux). */
    static ThreadCpuClock system() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported()) {
            return () -> -1;
        }
        if (!threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
        return threads::getCurrentThreadCpuTime;
    }
}
