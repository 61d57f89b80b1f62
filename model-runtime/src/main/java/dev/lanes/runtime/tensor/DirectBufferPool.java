package dev.lanes.runtime.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pooled direct buffers in power-of-two size classes, handed to ONNX Runtime without a copy.
 *
 * <p>Thread-safe and non-blocking. Buffers come back in native byte order, positioned at 0 with
 * the limit at the requested size. The pool retains at most {@code maxRetainedBytes}; buffers
 * returned beyond that, or larger than the largest class, are dropped for the GC to free, so a
 * burst of large requests cannot pin memory for good.
 */
public final class DirectBufferPool {
    private static final int MIN_CLASS_SHIFT = 8; // 256 bytes
    private static final int MAX_CLASS_SHIFT = 26; // 64 MiB

    private final ConcurrentLinkedQueue<ByteBuffer>[] classes;
    private final long maxRetainedBytes;
    private final AtomicLong retainedBytes = new AtomicLong();
    private final AtomicLong leasedBytes = new AtomicLong();
    private final AtomicLong peakLeasedBytes = new AtomicLong();

    @SuppressWarnings("unchecked")
    public DirectBufferPool(long maxRetainedBytes) {
        if (maxRetainedBytes < 0) {
            throw new IllegalArgumentException("maxRetainedBytes must be >= 0");
        }
        this.maxRetainedBytes = maxRetainedBytes;
        this.classes = new ConcurrentLinkedQueue[MAX_CLASS_SHIFT - MIN_CLASS_SHIFT + 1];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = new ConcurrentLinkedQueue<>();
        }
    }

    /** A buffer of at least {@code size} bytes, limit set to {@code size}, native order. */
    public ByteBuffer acquire(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0");
        }
        int index = classIndex(size);
        ByteBuffer buffer = null;
        if (index >= 0) {
            buffer = classes[index].poll();
            if (buffer != null) {
                retainedBytes.addAndGet(-buffer.capacity());
            } else {
                buffer = ByteBuffer.allocateDirect(1 << (index + MIN_CLASS_SHIFT));
            }
        } else {
            buffer = ByteBuffer.allocateDirect(size);
        }
        long leased = leasedBytes.addAndGet(buffer.capacity());
        if (leased > peakLeasedBytes.get()) { // read first: a new peak is rare, a contended write is not
            peakLeasedBytes.accumulateAndGet(leased, Math::max);
        }
        buffer.clear().limit(size);
        return buffer.order(ByteOrder.nativeOrder());
    }

    /** Gives a buffer from {@link #acquire} back. The caller must not touch it afterwards. */
    public void release(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect()) {
            return;
        }
        int capacity = buffer.capacity();
        leasedBytes.addAndGet(-capacity);
        int index = Integer.numberOfTrailingZeros(capacity) - MIN_CLASS_SHIFT;
        if (Integer.bitCount(capacity) != 1 || index < 0 || index >= classes.length) {
            return;
        }
        if (retainedBytes.addAndGet(capacity) > maxRetainedBytes) {
            retainedBytes.addAndGet(-capacity);
            return;
        }
        classes[index].offer(buffer);
    }

    /** Bytes of buffers acquired and not yet given back: what requests in flight hold (a leak grows it). */
    public long leasedBytes() {
        return leasedBytes.get();
    }

    /** The most bytes ever leased at once: what decoding took at its worst (direct memory sizing, fuzz bounds). */
    public long peakLeasedBytes() {
        return peakLeasedBytes.get();
    }

    /** Bytes currently held for reuse. */
    public long retainedBytes() {
        return retainedBytes.get();
    }

    private static int classIndex(int size) {
        int shift = Math.max(MIN_CLASS_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(size - 1, 1)));
        return shift > MAX_CLASS_SHIFT ? -1 : shift - MIN_CLASS_SHIFT;
    }
}
