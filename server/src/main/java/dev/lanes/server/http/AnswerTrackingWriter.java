package dev.lanes.server.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;

/**
 * The connection's writer, noting whether anything was written since the current request's head
 * was handed to Helidon: a body that stalls before its request is answered may still get a 408,
 * one that stalls while Helidon drains it after the answer must not get a second response. Each
 * write also counts as the port's activity, once it is sent.
 */
final class AnswerTrackingWriter implements DataWriter {
    private final DataWriter socket;
    private final PortActivity activity;
    private volatile boolean answered;

    AnswerTrackingWriter(DataWriter socket, PortActivity activity) {
        this.socket = socket;
        this.activity = activity;
    }

    /** A new request head was handed over: nothing of its answer is written yet. */
    void newRequest() {
        answered = false;
    }

    boolean answered() {
        return answered;
    }

    @Override
    public void write(BufferData... buffers) {
        answered = true;
        socket.write(buffers);
        activity.touch();
    }

    @Override
    public void write(BufferData buffer) {
        answered = true;
        socket.write(buffer);
        activity.touch();
    }

    @Override
    public void writeNow(BufferData... buffers) {
        answered = true;
        socket.writeNow(buffers);
        activity.touch();
    }

    @Override
    public void writeNow(BufferData buffer) {
        answered = true;
        socket.writeNow(buffer);
        activity.touch();
    }

    @Override
    public void flush() {
        socket.flush();
    }

    @Override
    public void close() {
        socket.close();
    }
}
