package dev.lanes.server.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataListener;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.LazyString;

import java.nio.charset.Charset;
import java.util.function.Supplier;

/**
 * Helidon's {@link DataReader} for one connection, replaced by a fresh one whenever it has been
 * read empty, so the chunks a long-lived connection reads never form one chain.
 *
 * <p>Why: a {@code DataReader} keeps the chunks it read as a singly linked list and drops consumed
 * ones by moving its head, without clearing their link to the next chunk. Once one chunk of a
 * connection has been promoted to the old generation (it was being read when a young collection
 * ran while the survivor space was full, or the connection sat idle long enough), every chunk the
 * connection reads after it stays reachable from that dead chunk: each young collection copies
 * them and promotes them, until a full collection (GC nepotism). At three times the cls saturation
 * rate on 1 024 keep-alive connections that was 45 % of the node's CPU in the collector, with the
 * old generation growing by 250 MB/s, everything the node read (docs/benchmarks.md, issue 19).
 * A fresh reader starts a new list, so a promoted chunk holds at most the chunks its own reader
 * read before it was next read empty (one request head, or a piece of one body).
 *
 * <p>Every public method of {@code DataReader} is overridden to go to the current reader
 * ({@code RenewingDataReaderTest} fails when Helidon adds one); the superclass's own state is never
 * used, and its supplier fails loudly if it were.
 */
final class RenewingDataReader extends DataReader {
    private final Supplier<byte[]> source;
    private DataReader current;
    private DataListener<Object> listener;
    private Object listenerContext;

    RenewingDataReader(Supplier<byte[]> source) {
        super(() -> {
            throw new IllegalStateException("RenewingDataReader's own list is never read: a DataReader method "
                    + "is not overridden");
        });
        this.source = source;
        this.current = DataReader.create(source);
    }

    /** The reader to read from now: a new one when the current one holds nothing unread. */
    private DataReader reader() {
        if (current.available() == 0) {
            current = DataReader.create(source);
            if (listener != null) {
                current.listener(listener, listenerContext);
            }
        }
        return current;
    }

    @Override
    public int available() {
        return current.available();
    }

    @Override
    public void pullData() {
        reader().pullData();
    }

    @Override
    public void skip(int length) {
        reader().skip(length);
    }

    @Override
    public void ensureAvailable() {
        reader().ensureAvailable();
    }

    @Override
    public byte read() {
        return reader().read();
    }

    @Override
    public byte lookup() {
        return reader().lookup();
    }

    @Override
    public boolean startsWithNewLine() {
        return reader().startsWithNewLine();
    }

    @Override
    public boolean startsWith(byte[] prefix) {
        return reader().startsWith(prefix);
    }

    @Override
    public BufferData readBuffer() {
        return reader().readBuffer();
    }

    @Override
    public BufferData readBuffer(int length) {
        return reader().readBuffer(length);
    }

    @Override
    public BufferData getBuffer(int length) {
        return reader().getBuffer(length);
    }

    @Override
    public LazyString readLazyString(Charset charset, int length) {
        return reader().readLazyString(charset, length);
    }

    @Override
    public String readAsciiString(int length) {
        return reader().readAsciiString(length);
    }

    @Override
    public byte[] readBytes(int length) {
        return reader().readBytes(length);
    }

    @Override
    public String readLine() throws IncorrectNewLineException {
        return reader().readLine();
    }

    @Override
    public int findOrNewLine(byte b, int max) throws IncorrectNewLineException {
        return reader().findOrNewLine(b, max);
    }

    @Override
    public String debugDataHex() {
        return current.debugDataHex();
    }

    @Override
    public int findNewLine(int max) throws IncorrectNewLineException {
        return reader().findNewLine(max);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> void listener(DataListener<T> listener, T context) {
        this.listener = (DataListener<Object>) listener;
        this.listenerContext = context;
        current.listener(listener, context);
    }
}
