package dev.lanes.cache;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CachedOutputsTest {
    @Test
    void decode_ofEncode_restoresEveryOutput() {
        CachedOutputs outputs = new CachedOutputs(List.of(
                new CachedOutputs.Output("y", "FP32", new long[]{2, 3}, ByteBuffer.wrap(new byte[24])),
                new CachedOutputs.Output("ünïcode", "BYTES", new long[]{1}, ByteBuffer.wrap(new byte[]{1, 0, 0, 0, 'a'}))));
        CachedOutputs decoded = CachedOutputs.decode(outputs.encode());
        assertEquals(2, decoded.outputs().size());
        assertEquals("ünïcode", decoded.outputs().get(1).name());
        assertEquals("BYTES", decoded.outputs().get(1).datatype());
        assertArrayEquals(new long[]{2, 3}, decoded.outputs().get(0).shape());
        byte[] data = new byte[5];
        decoded.outputs().get(1).data().get(data);
        assertArrayEquals(new byte[]{1, 0, 0, 0, 'a'}, data);
    }

    @Test
    void decode_garbage_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> CachedOutputs.decode(new byte[]{1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> CachedOutputs.decode("hello world, not a value".getBytes()));
        byte[] valid = new CachedOutputs(List.of(new CachedOutputs.Output("y", "FP32", new long[]{1},
                ByteBuffer.wrap(new byte[4])))).encode();
        assertThrows(IllegalArgumentException.class, () -> CachedOutputs.decode(Arrays.copyOf(valid, valid.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> CachedOutputs.decode(Arrays.copyOf(valid, valid.length + 1)));
    }

    /** A value corrupted in Redis must be a miss: a flipped data byte once decoded as a wrong answer. */
    @Test
    void decode_ofAnAlteredValue_isRefused_evenWhereOnlyDataChanged() {
        byte[] valid = new CachedOutputs(List.of(new CachedOutputs.Output("y", "FP32", new long[]{2},
                ByteBuffer.wrap(new byte[]{0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40})))).encode();
        for (int i = 0; i < valid.length; i++) {
            byte[] altered = valid.clone();
            altered[i] ^= 0x01;
            int at = i;
            assertThrows(IllegalArgumentException.class, () -> CachedOutputs.decode(altered), () -> "byte " + at);
        }
    }

    /** A value of the format before the checksum (magic "LNC1") is a miss, not misread. */
    @Test
    void decode_ofTheUnversionedFormerFormat_isRefused() {
        ByteBuffer former = ByteBuffer.allocate(8 + 4 + 1 + 4 + 4 + 4 + 8 + 4 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        former.putInt(0x4C4E4331).putInt(1).putInt(1).put((byte) 'y').putInt(4).put("FP32".getBytes())
                .putInt(1).putLong(1).putInt(4).putFloat(1f);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> CachedOutputs.decode(former.array()));
        assertEquals("not a Lanes cache value of this format", refused.getMessage());
    }

    @Test
    void decode_ofANameThatIsNotUtf8_isRefused() {
        byte[] valid = new CachedOutputs(List.of(new CachedOutputs.Output("y", "FP32", new long[]{1},
                ByteBuffer.wrap(new byte[4])))).encode();
        valid[16] = (byte) 0xff; // the name's one byte, after magic, CRC, count and the name's length
        CachedOutputsFuzzTest.resign(valid);
        assertThrows(IllegalArgumentException.class, () -> CachedOutputs.decode(valid));
    }
}
