package dev.lanes.benchmarks.load;

import java.util.function.Consumer;

/**
 * Sends one request without holding a thread while it is out; {@code done} runs on the
 * transport's own thread when the answer arrives. For clients whose threads are costly to wake
 * (grpc-java): a closed loop of these issues the next request from the callback itself.
 */
public interface AsyncCaller {
    void call(Consumer<Outcome> done);
}
