package dev.lanes.cache;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class CacheKeyTest {
    private static final byte[] BYTES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    private static SortedSet<String> outputs(String... names) {
        return new TreeSet<>(List.of(names));
    }

    private static CacheKey key(String model, long version, SortedSet<String> outputs, String datatype, long[] shape) {
        return new CacheKeyBuilder(model, version, outputs)
                .input("x", datatype, shape, ByteBuffer.wrap(BYTES))
                .build();
    }

    private static final CacheKey BASE = key("m", 1, outputs("y"), "FP32", new long[]{1, 4});

    @Test
    void identicalRequests_sameKey() {
        assertEquals(BASE, key("m", 1, outputs("y"), "FP32", new long[]{1, 4}));
        assertEquals(BASE.hashCode(), key("m", 1, outputs("y"), "FP32", new long[]{1, 4}).hashCode());
    }

    @Test
    void sameBytes_differentShape_differentKey() {
        assertNotEquals(BASE, key("m", 1, outputs("y"), "FP32", new long[]{2, 2}));
        assertNotEquals(BASE, key("m", 1, outputs("y"), "FP32", new long[]{4}));
    }

    @Test
    void sameBytes_differentDatatype_differentKey() {
        assertNotEquals(BASE, key("m", 1, outputs("y"), "INT32", new long[]{1, 4}));
    }

    @Test
    void differentOutputSelection_versionOrModel_differentKeys() {
        assertNotEquals(BASE, key("m", 1, outputs("y", "z"), "FP32", new long[]{1, 4}));
        assertNotEquals(BASE, key("m", 2, outputs("y"), "FP32", new long[]{1, 4}));
        assertNotEquals(BASE, key("n", 1, outputs("y"), "FP32", new long[]{1, 4}));
    }

    @Test
    void differentBytes_differentKey_andBufferPositionsAreLeftAlone() {
        ByteBuffer data = ByteBuffer.wrap(BYTES.clone());
        data.put(15, (byte) 99);
        CacheKey other = new CacheKeyBuilder("m", 1, outputs("y")).input("x", "FP32", new long[]{1, 4}, data).build();
        assertNotEquals(BASE, other);
        assertEquals(0, data.position());
    }

    @Test
    void inputOrder_doesNotMatter() {
        ByteBuffer a = ByteBuffer.wrap(new byte[]{1, 2});
        ByteBuffer b = ByteBuffer.wrap(new byte[]{3, 4});
        CacheKey ab = new CacheKeyBuilder("m", 1, outputs("y"))
                .input("a", "INT8", new long[]{2}, a).input("b", "INT8", new long[]{2}, b).build();
        CacheKey ba = new CacheKeyBuilder("m", 1, outputs("y"))
                .input("b", "INT8", new long[]{2}, b).input("a", "INT8", new long[]{2}, a).build();
        assertEquals(ab, ba);
    }

    @Test
    void fieldBoundaries_cannotBeShiftedToCollide() {
        CacheKey one = new CacheKeyBuilder("ab", 1, outputs("c")).input("x", "INT8", new long[]{1}, ByteBuffer.wrap(new byte[1])).build();
        CacheKey two = new CacheKeyBuilder("a", 1, outputs("bc")).input("x", "INT8", new long[]{1}, ByteBuffer.wrap(new byte[1])).build();
        assertNotEquals(one, two);
    }
}
