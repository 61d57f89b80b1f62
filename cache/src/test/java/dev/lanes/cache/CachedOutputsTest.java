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
}
