package dev.lanes.server.http;

import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.NioSocket;
import io.helidon.common.socket.PlainSocket;
import io.helidon.common.socket.TlsSocket;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Ends a REST connection in stages, as RFC 9112 §9.6 asks and nginx and Apache do: after the last
 * answer, a FIN, then what the client still sends is read and dropped until it closes too, for at
 * most {@link #MAX_NANOS} and a bounded number of bytes. Closing at once while the client is still
 * sending a body the node refused (413, an early 404 or 503) makes the kernel answer with a reset,
 * and a client that gets the reset before it has read the answer never sees the answer: Java's
 * HttpClient lost about one 413 in fifteen, and one 404 to a 4 MiB body in five, that way on
 * loopback. A client that already closed costs one read that returns its end of stream.
 */
final class LingeringClose {
    /** Apache's lingering time; the watchdog closes a connection still lingering after it. */
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Dropping what a refused client sends costs at most what reading one accepted body would. */
    private static final long MIN_BYTES = 1 << 20;

    // Helidon keeps its sockets' Java sockets private and offers no half-close; both fields are
    // read once per refused connection, never on a request's path.
    private static final VarHandle PLAIN_SOCKET = field(PlainSocket.class, "delegate", Socket.class);
    private static final VarHandle NIO_CHANNEL = field(NioSocket.class, "delegate", SocketChannel.class);

    private LingeringClose() {
    }

    static long byteBound(long maxBodyBytes) {
        return Math.max(maxBodyBytes, MIN_BYTES);
    }

    /**
     * Sends a FIN after what was written and reads until the client closes, {@code maxBytes}
     * were dropped, or the watchdog closes the socket at {@link #MAX_NANOS}.
     */
    static void drain(HelidonSocket socket, DataWriter writer, ReadTimer timer, long maxBytes) {
        if (timer.expired()) {
            return; // the watchdog took the connection (a 408, or a stuck write) and closes it
        }
        // the deadline first: a flush to a client that reads nothing is bounded by it too
        timer.await(ReadTimer.Phase.LINGER, System.nanoTime() + MAX_NANOS);
        try {
            writer.flush();
        } catch (RuntimeException e) {
            timer.resume();
            return; // the socket is gone: nothing to linger on
        }
        if (!halfClose(socket)) {
            // without a FIN a client reading to the end would wait out the whole linger: close now
            timer.resume();
            return;
        }
        long dropped = 0;
        try {
            byte[] bytes;
            while (dropped < maxBytes && (bytes = socket.get()) != null) {
                dropped += bytes.length;
            }
        } catch (RuntimeException e) {
            // reset by the client, or closed by the watchdog at the deadline: the linger is over
        }
        timer.resume();
    }

    /** Whether both of Helidon's socket kinds can be half-closed (a Helidon upgrade may rename the fields). */
    static boolean canHalfClose() {
        return PLAIN_SOCKET != null && NIO_CHANNEL != null;
    }

    /** Sends the FIN; false when this socket cannot be half-closed (TLS, or Helidon changed). */
    private static boolean halfClose(HelidonSocket socket) {
        try {
            if (socket instanceof TlsSocket) {
                return false; // SSLSocket refuses shutdownOutput
            }
            if (socket instanceof PlainSocket && PLAIN_SOCKET != null) {
                ((Socket) PLAIN_SOCKET.get(socket)).shutdownOutput();
                return true;
            }
            if (socket instanceof NioSocket && NIO_CHANNEL != null) {
                ((SocketChannel) NIO_CHANNEL.get(socket)).shutdownOutput();
                return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return true; // already closed by the client: the drain's first read ends it
        }
    }

    private static VarHandle field(Class<?> owner, String name, Class<?> type) {
        try {
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, name, type);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Helidon changed or its module is closed to us: the linger still drains, only without the FIN
            return null;
        }
    }
}
