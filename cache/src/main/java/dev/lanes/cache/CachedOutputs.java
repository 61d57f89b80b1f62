package dev.lanes.cache;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A cached prediction: the outputs, each with name, datatype, shape and raw bytes, in a compact
 * binary encoding (not JSON) from which REST JSON, REST binary and gRPC responses are rebuilt. The
 * request id is never part of it. {@link #decode} rejects anything malformed with
 * {@link IllegalArgumentException}: a value of another format version (its magic differs) or one
 * corrupted in Redis (a CRC-32C over the whole value no longer matches), so such a value is a
 * miss, never a wrong answer.
 *
 * <p>Layout, little-endian: magic, CRC-32C of everything after it, output count, then per output
 * name, datatype (each length-prefixed UTF-8), rank, dimensions (int64), data length and data.
 */
public record CachedOutputs(List<Output> outputs) {
    private static final int MAGIC = 0x4C4E4332; // "LNC2"; "LNC1" had no checksum
    private static final int HEADER_BYTES = 12;
    private static final int MAX_RANK = 64;

    /** One output; {@code data} is a read-only view. */
    public record Output(String name, String datatype, long[] shape, ByteBuffer data) {
        public Output {
            shape = shape.clone();
            data = data.asReadOnlyBuffer();
        }
    }

    public CachedOutputs {
        outputs = List.copyOf(outputs);
    }

    public byte[] encode() {
        int size = HEADER_BYTES;
        List<byte[]> names = new ArrayList<>();
        List<byte[]> types = new ArrayList<>();
        for (Output output : outputs) {
            byte[] name = output.name().getBytes(StandardCharsets.UTF_8);
            byte[] type = output.datatype().getBytes(StandardCharsets.UTF_8);
            names.add(name);
            types.add(type);
            size += 4 + name.length + 4 + type.length + 4 + 8 * output.shape().length + 4 + output.data().remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putInt(0).putInt(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            Output output = outputs.get(i);
            out.putInt(names.get(i).length).put(names.get(i));
            out.putInt(types.get(i).length).put(types.get(i));
            out.putInt(output.shape().length);
            for (long dim : output.shape()) {
                out.putLong(dim);
            }
            out.putInt(output.data().remaining()).put(output.data().duplicate());
        }
        out.putInt(4, checksum(out.array()));
        return out.array();
    }

    public static CachedOutputs decode(byte[] bytes) {
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("a cache value of " + bytes.length + " bytes is too short");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (in.getInt() != MAGIC) {
                throw new IllegalArgumentException("not a Lanes cache value of this format");
            }
            if (in.getInt() != checksum(bytes)) {
                throw new IllegalArgumentException("checksum mismatch: the value was altered");
            }
            int count = in.getInt();
            if (count < 0 || count > bytes.length) {
                throw new IllegalArgumentException("bad output count " + count);
            }
            List<Output> outputs = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String name = string(in);
                String type = string(in);
                int rank = in.getInt();
                if (rank < 0 || rank > MAX_RANK) {
                    throw new IllegalArgumentException("bad rank " + rank);
                }
                long[] shape = new long[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.getLong();
                }
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) {
                    throw new IllegalArgumentException("bad data length " + length);
                }
                ByteBuffer data = in.slice(in.position(), length).order(ByteOrder.nativeOrder());
                in.position(in.position() + length);
                outputs.add(new Output(name, type, shape, data));
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes");
            }
            return new CachedOutputs(outputs);
        } catch (RuntimeException e) {
            throw e instanceof IllegalArgumentException ? e : new IllegalArgumentException("truncated cache value", e);
        }
    }

    private static int checksum(byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(value, 8, value.length - 8);
        return (int) crc.getValue();
    }

    private static String string(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("bad string length " + length);
        }
        ByteBuffer text = in.slice(in.position(), length);
        in.position(in.position() + length);
        try {
            // strict: a name that is not UTF-8 was not written by encode()
            return StandardCharsets.UTF_8.newDecoder().decode(text).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a name that is not UTF-8");
        }
    }
}
