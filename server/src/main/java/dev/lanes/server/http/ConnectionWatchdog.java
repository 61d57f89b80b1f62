package dev.lanes.server.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One thread that looks at every open REST connection a few times a second and times out reads
 * that are late. Helidon applies no read timeout to server sockets, so without this a client that
 * sends half a request holds its connection forever.
 */
final class ConnectionWatchdog implements AutoCloseable {
    static final long PERIOD_MILLIS = 200;

    private final Set<FrontDoorConnection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "lanes-http-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    ConnectionWatchdog() {
        sweeper.scheduleWithFixedDelay(this::sweep, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    void watch(FrontDoorConnection connection) {
        connections.add(connection);
    }

    void forget(FrontDoorConnection connection) {
        connections.remove(connection);
    }

    int size() {
        return connections.size();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (FrontDoorConnection connection : connections) {
            try {
                connection.checkDeadline(now);
            } catch (Throwable e) {
                // one broken socket must not stop the sweeps for the others (a throw would cancel them)
                connection.abort();
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
