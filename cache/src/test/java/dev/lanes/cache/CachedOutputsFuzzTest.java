package dev.lanes.cache;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Redis value decoder against values written by a faulty or foreign writer and against values
 * altered in Redis: it refuses with {@link IllegalArgumentException} (the cache then misses) or
 * returns exactly what was written, and nothing else escapes. {@code mvn verify} runs the seeds;
 * {@code bin/fuzz} searches.
 */
class CachedOutputsFuzzTest {
    /**
     * Any value body with a correct checksum (as a buggy writer would produce): refused, or decoded
     * to outputs that encode back to exactly these bytes (one value, one meaning).
     */
    @FuzzTest(maxDuration = "20s")
    void anySignedValue_isRefusedOrReadExactly(byte[] body) {
        ByteBuffer value = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        value.putInt(0x4C4E4332).putInt(0).put(body);
        byte[] bytes = value.array();
        resign(bytes);
        CachedOutputs decoded;
        try {
            decoded = CachedOutputs.decode(bytes);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertArrayEquals(bytes, decoded.encode(), "a decoded value encodes back to itself");
    }

    /** A valid value altered anywhere (flipped, cut, extended): refused unless the bytes are unchanged. */
    @FuzzTest(maxDuration = "20s")
    void alteredValue_isAMiss_neverAnotherAnswer(FuzzedDataProvider data) {
        List<CachedOutputs.Output> outputs = new ArrayList<>();
        int count = data.consumeInt(0, 3);
        for (int i = 0; i < count; i++) {
            long[] shape = new long[data.consumeInt(0, 3)];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = data.consumeLong(0, 1 << 20);
            }
            outputs.add(new CachedOutputs.Output(data.consumeAsciiString(8), data.pickValue(new String[]{"FP32", "BYTES"}),
                    shape, ByteBuffer.wrap(data.consumeBytes(data.consumeInt(0, 64)))));
        }
        byte[] original = new CachedOutputs(outputs).encode();
        byte[] altered = switch (data.consumeInt(0, 2)) {
            case 0 -> {
                byte[] flipped = original.clone();
                flipped[data.consumeInt(0, flipped.length - 1)] ^= (byte) data.consumeInt(1, 255);
                yield flipped;
            }
            case 1 -> Arrays.copyOf(original, data.consumeInt(0, original.length - 1));
            default -> {
                byte[] extra = data.consumeRemainingAsBytes();
                byte[] longer = Arrays.copyOf(original, original.length + Math.max(1, extra.length));
                System.arraycopy(extra, 0, longer, original.length, extra.length);
                yield longer;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> CachedOutputs.decode(altered));
    }

    /** Writes the checksum a value's bytes need, as {@link CachedOutputs#encode} does. */
    static void resign(byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(value, 8, value.length - 8);
        ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).putInt(4, (int) crc.getValue());
    }
}
