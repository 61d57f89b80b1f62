package dev.lanes.server.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds and reads bodies of the binary tensor data extension, as Triton's clients do. */
public final class BinaryRequests {
    private BinaryRequests() {
    }

    /** A body: the JSON header, then the blobs in order. */
    public static byte[] body(String jsonHeader, byte[]... blobs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(jsonHeader.getBytes(StandardCharsets.UTF_8));
        for (byte[] blob : blobs) {
            out.writeBytes(blob);
        }
        return out.toByteArray();
    }

    public static int headerLength(String jsonHeader) {
        return jsonHeader.getBytes(StandardCharsets.UTF_8).length;
    }

    public static byte[] floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            buffer.putFloat(value);
        }
        return buffer.array();
    }

    public static float[] toFloats(byte[] bytes, int offset, int length) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[length / 4];
        buffer.asFloatBuffer().get(values);
        return values;
    }
}
