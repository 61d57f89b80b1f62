package dev.lanes.benchmarks.load;

/** Sends one request and waits for its answer. Used by one thread at a time. */
public interface Caller extends AutoCloseable {
    Outcome call();

    @Override
    void close();
}
