package dev.lanes.runtime.tensor;

import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BytesElementsTest {
    private static ByteBuffer serialized(byte[]... elements) {
        int size = 0;
        for (byte[] element : elements) {
            size += 4 + element.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] element : elements) {
            buffer.putInt(element.length).put(element);
        }
        return buffer.flip();
    }

    @Test
    void validUtf8_includingMultiByteAndNul_roundTripsExactly() {
        ByteBuffer data = serialized("grüße ✓".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[]{0, 'n', 'u', 'l'});
        BytesElements.checkCount("in", data, 3);
        String[] strings = new String[3];
        BytesElements.toStrings(data, strings, 0);
        ByteBuffer back = BytesElements.fromStrings(strings, 0, 3).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(data, back);
    }

    @Test
    void bytesThatAreNotUtf8_areRefusedNotReplaced() {
        InferenceException error = assertThrows(InferenceException.class, () ->
                BytesElements.checkCount("in", serialized("ok".getBytes(StandardCharsets.UTF_8),
                        new byte[]{(byte) 0xff, (byte) 0xfe}), 2));
        assertEquals(ErrorKind.INVALID_INPUT, error.kind());
        assertTrue(error.getMessage().contains("element 1 is not valid UTF-8"), error.getMessage());
    }

    @Test
    void aLengthPastTheEnd_isRefused() {
        ByteBuffer data = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(9).put(new byte[]{1, 2}).flip();
        InferenceException error = assertThrows(InferenceException.class, () -> BytesElements.checkCount("in", data, 1));
        assertEquals(ErrorKind.INVALID_INPUT, error.kind());
    }
}
