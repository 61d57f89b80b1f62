package dev.lanes.runtime.tensor;

import dev.lanes.runtime.InferenceException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes BYTES tensor data in Triton's serialization: u32 LE length, then the bytes.
 *
 * <p>ONNX Runtime's Java API passes string tensors only as Java strings, so an element reaches the
 * model only when it is valid UTF-8; anything else is refused at decoding rather than silently
 * replaced by U+FFFD (a different input than the client sent).
 */
public final class BytesElements {
    private BytesElements() {
    }

    /** Checks the serialized data holds exactly {@code expected} elements, each valid UTF-8. */
    public static void checkCount(String tensor, ByteBuffer data, long expected) {
        ByteBuffer view = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer scratch = CharBuffer.allocate(64); // reused: a UTF-8 element never has more chars than bytes
        long count = 0;
        while (view.remaining() >= 4) {
            int length = view.getInt();
            if (length < 0 || length > view.remaining()) {
                throw InferenceException.invalidInput(
                        "input '%s': BYTES element %d declares %d bytes but only %d remain",
                        tensor, count, Integer.toUnsignedLong(length), view.remaining());
            }
            if (scratch.capacity() < length) {
                scratch = CharBuffer.allocate(length);
            }
            CoderResult decoded = utf8.reset().decode(view.slice(view.position(), length), scratch.clear(), true);
            if (decoded.isError()) {
                throw InferenceException.invalidInput("input '%s': BYTES element %d is not valid UTF-8; ONNX Runtime's"
                        + " Java API carries string tensors only as text, so Lanes refuses it rather than alter it",
                        tensor, count);
            }
            view.position(view.position() + length);
            count++;
        }
        if (view.hasRemaining()) {
            throw InferenceException.invalidInput("input '%s': %d bytes after BYTES element %d do not form an element"
                    + " (each is a 4-byte little-endian length, then that many bytes)", tensor, view.remaining(), count);
        }
        if (count != expected) {
            throw InferenceException.invalidInput(
                    "input '%s': BYTES data holds %d elements, the shape needs %d", tensor, count, expected);
        }
    }

    /** Decodes every element as UTF-8, the only string form ONNX Runtime's Java API takes. */
    public static void toStrings(ByteBuffer data, String[] target, int offset) {
        ByteBuffer view = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int index = offset;
        byte[] scratch = new byte[64];
        while (view.hasRemaining()) {
            int length = view.getInt();
            if (scratch.length < length) {
                scratch = new byte[length];
            }
            view.get(scratch, 0, length);
            target[index++] = new String(scratch, 0, length, StandardCharsets.UTF_8);
        }
    }

    /** Serializes strings as UTF-8 elements into a heap buffer. */
    public static ByteBuffer fromStrings(String[] values, int from, int to) {
        byte[][] encoded = new byte[to - from][];
        int size = 0;
        for (int i = from; i < to; i++) {
            encoded[i - from] = values[i].getBytes(StandardCharsets.UTF_8);
            size += 4 + encoded[i - from].length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] element : encoded) {
            buffer.putInt(element.length).put(element);
        }
        return buffer.flip().order(ByteOrder.nativeOrder());
    }
}
