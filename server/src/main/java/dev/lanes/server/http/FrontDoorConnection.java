package dev.lanes.server.http;

import dev.lanes.server.config.HttpSettings;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.FixedLimit;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * One REST connection: Helidon's HTTP/1 connection reading what {@link RequestFramer} lets
 * through, watched by the {@link ConnectionWatchdog} for late reads.
 */
final class FrontDoorConnection implements ServerConnection, InterruptableTask<Void> {
    /** A 408 that cannot be written in this long (the client reads nothing) gives way to a plain close. */
    private static final long STUCK_WRITE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ConnectionContext socketContext;
    private final ReadTimer timer = new ReadTimer();
    private final ServerConnection http1;
    private final AnswerTrackingWriter writer;
    private final ConnectionWatchdog watchdog;
    private final IntConsumer refusals;
    private final long lingerBytes;
    /** Helidon is stopping the connection (the server stops): no lingering then. */
    private volatile boolean stopping;

    FrontDoorConnection(ConnectionContext socketContext, ServerConnectionSelector http1Selector, HttpSettings settings,
                        long maxBodyBytes, ConnectionWatchdog watchdog, PortActivity activity, IntConsumer refusals) {
        this.socketContext = socketContext;
        this.watchdog = watchdog;
        this.refusals = refusals;
        this.writer = new AnswerTrackingWriter(socketContext.dataWriter(), activity);
        HelidonSocket socket = socketContext.serverSocket();
        this.lingerBytes = LingeringClose.byteBound(maxBodyBytes);
        RequestFramer framer = new RequestFramer(() -> read(socket, activity), settings, maxBodyBytes, timer,
                new RequestFramer.Refusals() {
                    @Override
                    public void answer(Status status, byte[] response) {
                        refusals.accept(status.code());
                        writer.writeNow(BufferData.create(response));
                    }

                    @Override
                    public void bodyFailed(Status status) {
                        refusals.accept(status.code());
                    }
                },
                new RequestFramer.Reader() {
                    @Override
                    public boolean readingRequestLine() {
                        return http1 instanceof InterruptableTask<?> task && task.canInterrupt();
                    }

                    @Override
                    public void newRequest() {
                        writer.newRequest();
                    }
                });
        this.http1 = http1Selector.connection(new FramedContext(socketContext, framer, writer));
    }

    @Override
    public void handle(Semaphore requestSemaphore) throws InterruptedException {
        handle(FixedLimit.create(requestSemaphore));
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        watchdog.watch(this);
        try {
            http1.handle(limit);
        } finally {
            try {
                // The node ends this connection (or the client did, and the first read says so): after
                // a refusal or a Connection: close answer the client may still be sending its body.
                if (!stopping) {
                    LingeringClose.drain(socketContext.serverSocket(), writer, timer, lingerBytes);
                }
            } finally {
                watchdog.forget(this);
            }
        }
    }

    @Override
    public Duration idleTime() {
        return http1.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
        stopping = true;
        http1.close(interrupt);
    }

    @Override
    public boolean canInterrupt() {
        return http1 instanceof InterruptableTask<?> task && task.canInterrupt();
    }

    /** The watchdog's look at this connection: a late read is answered 408 (or closed when idle). */
    void checkDeadline(long now) {
        ReadTimer.Phase late = timer.expireIfLate(now);
        if (late == null) {
            if (timer.expired() && now - timer.expiredAtNanos() > STUCK_WRITE_NANOS) {
                abort();
            }
            return;
        }
        // Idle between requests: just close (RFC 9112 §9.8). A body Helidon drains after the answer
        // was written must not get a second response, and a closing connection's linger has run
        // out: close too.
        if (late == ReadTimer.Phase.IDLE || late == ReadTimer.Phase.LINGER
                || (late == ReadTimer.Phase.BODY && writer.answered())) {
            abort();
            return;
        }
        String what = late == ReadTimer.Phase.HEAD ? "the request head" : "more of the request body";
        refusals.accept(Status.REQUEST_TIMEOUT_408.code());
        // A virtual thread, so a client that reads nothing blocks only this write, not the sweeps.
        Thread.ofVirtual().name("lanes-http-timeout").start(() -> {
            try {
                writer.writeNow(BufferData.create(DirectResponse.error(
                        Status.REQUEST_TIMEOUT_408, "timed out waiting for " + what)));
            } catch (RuntimeException e) {
                // the client is gone or reads nothing; closing is all that is left
            } finally {
                abort();
            }
        });
    }

    /** Closes the socket: the connection's blocked read fails and Helidon ends the connection. */
    void abort() {
        socketContext.serverSocket().close();
    }

    private static byte[] read(HelidonSocket socket, PortActivity activity) {
        try {
            byte[] bytes = socket.get();
            activity.touch();
            return bytes;
        } catch (UncheckedIOException e) {
            throw new ServerConnectionException("Failed to get data from socket", e);
        }
    }
}
