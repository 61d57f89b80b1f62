package dev.lanes.server.http;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The deadline of one connection's current blocking read, shared by the connection's thread and
 * the watchdog. Exactly one of them acts on a late read: the connection thread when the read
 * returns first ({@link #resume}), the watchdog when the deadline passes first ({@link #expireIfLate}).
 */
final class ReadTimer {
    enum Phase {
        /** Not waiting for the client. */
        ACTIVE,
        /** Waiting for the first byte of a request (keep-alive idle, or a new connection). */
        IDLE,
        /** Waiting for the rest of a request head. */
        HEAD,
        /** Waiting for more of a request body. */
        BODY,
        /** Reading and dropping what a client still sends after the node's last answer, before the close. */
        LINGER,
        /** The watchdog took the connection: it answers 408 (or closes) and nothing else may. */
        EXPIRED
    }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.ACTIVE);
    // Written before phase, read after it: a watchdog that sees a waiting phase sees its deadline.
    private volatile long deadlineNanos;
    private volatile long expiredAtNanos;

    void await(Phase waiting, long deadline) {
        deadlineNanos = deadline;
        phase.set(waiting);
    }

    /** After a read returned; false when the watchdog expired it first. */
    boolean resume() {
        Phase current = phase.get();
        return current != Phase.EXPIRED && phase.compareAndSet(current, Phase.ACTIVE);
    }

    /** The phase the watchdog took over at {@code now}, or null when no read is late. */
    Phase expireIfLate(long now) {
        Phase current = phase.get();
        if (current == Phase.ACTIVE || current == Phase.EXPIRED || now - deadlineNanos < 0) {
            return null;
        }
        if (!phase.compareAndSet(current, Phase.EXPIRED)) {
            return null;
        }
        expiredAtNanos = now;
        return current;
    }

    boolean expired() {
        return phase.get() == Phase.EXPIRED;
    }

    long expiredAtNanos() {
        return expiredAtNanos;
    }
}
