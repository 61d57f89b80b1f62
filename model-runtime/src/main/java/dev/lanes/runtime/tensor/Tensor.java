package dev.lanes.runtime.tensor;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor: datatype, shape and row-major data in native byte order. For BYTES the data
 * holds each element as a 4-byte little-endian length followed by its bytes (Triton's
 * serialization), so every datatype travels in one flat buffer.
 *
 * <p>A tensor may own a buffer leased from a {@link DirectBufferPool}; {@link #close()} returns
 * it once. Ownership passes with the tensor: whoever holds it last closes it. Not thread-safe.
 */
public final class Tensor implements AutoCloseable {
    private final String name;
    private final DataType dataType;
    private final long[] shape;
    private final ByteBuffer data;
    private DirectBufferPool pool;

    private Tensor(String name, DataType dataType, long[] shape, ByteBuffer data, DirectBufferPool pool) {
        this.name = Objects.requireNonNull(name, "name");
        this.dataType = Objects.requireNonNull(dataType, "dataType");
        this.shape = shape.clone();
        this.data = Objects.requireNonNull(data, "data");
        this.pool = pool;
    }

    /** A tensor whose buffer came from {@code pool} and goes back there on close. */
    public static Tensor pooled(String name, DataType dataType, long[] shape, ByteBuffer data, DirectBufferPool pool) {
        return new Tensor(name, dataType, shape, data, pool);
    }

    /** A tensor over a buffer nobody needs to give back (e.g. a slice of a batch output). */
    public static Tensor of(String name, DataType dataType, long[] shape, ByteBuffer data) {
        return new Tensor(name, dataType, shape, data, null);
    }

    public String name() {
        return name;
    }

    public DataType dataType() {
        return dataType;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int index) {
        return shape[index];
    }

    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    /** A read view of the data from position 0 to its size; the caller may move its position. */
    public ByteBuffer data() {
        return data.duplicate().order(data.order()).position(0).limit(data.limit());
    }

    /** Size in bytes of the data. */
    public int byteSize() {
        return data.limit();
    }

    /** The same data seen with another shape; the new tensor does not own the buffer. */
    public Tensor withShape(long[] newShape) {
        return new Tensor(name, dataType, newShape, data, null);
    }

    @Override
    public void close() {
        DirectBufferPool owner = pool;
        pool = null;
        if (owner != null) {
            owner.release(data);
        }
    }

    @Override
    public String toString() {
        return name + ":" + dataType + Arrays.toString(shape);
    }
}
