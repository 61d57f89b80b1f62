package dev.lanes.runtime.batch;

/** Monotonic time in nanoseconds, injected so batcher tests need no sleeps. */
@FunctionalInterface
public interface Ticker {
    long nanos();

    static Ticker system() {
        return System::nanoTime;
    }
}
