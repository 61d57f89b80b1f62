package dev.lanes.server.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When the REST port last moved: a connection accepted, request bytes read, an answer written.
 * A draining node closes the port only once it has been still for a while, because a keep-alive
 * client that has just been answered sends its next request at once, and a port closed in that
 * moment loses the request (the client sees the connection end without an answer).
 */
final class PortActivity {
    /** Finer than any quiet period worth waiting, coarse enough that busy connections rarely write the field. */
    private static final long RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong lastNanos = new AtomicLong(System.nanoTime());

    void touch() {
        long now = System.nanoTime();
        long last = lastNanos.get();
        // never backwards: a thread that read the clock before another must not undo the later touch
        while (now - last > RESOLUTION_NANOS && !lastNanos.compareAndSet(last, now)) {
            last = lastNanos.get();
        }
    }

    /** How long nothing has moved, as of {@code now} (a {@link System#nanoTime()} value). */
    long stillForNanos(long now) {
        return Math.max(0, now - lastNanos.get());
    }
}
