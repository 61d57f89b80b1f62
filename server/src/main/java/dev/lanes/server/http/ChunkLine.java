package dev.lanes.server.http;

/** A chunk-size line by RFC 9112 §7.1: hex digits, then optional {@code ;name[=value]} extensions. */
final class ChunkLine {
    private static final int MAX_HEX_DIGITS = 15; // keeps the size a positive long

    private ChunkLine() {
    }

    /** The chunk's size, or -1 when the line is not a chunk-size line. Extensions are ignored. */
    static long size(byte[] line, int length) {
        long size = 0;
        int i = 0;
        while (i < length && hexValue(line[i]) >= 0) {
            if (i == MAX_HEX_DIGITS) {
                return -1;
            }
            size = size * 16 + hexValue(line[i]);
            i++;
        }
        if (i == 0) {
            return -1;
        }
        while (i < length && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        if (i == length) {
            return size;
        }
        if (line[i] != ';') {
            return -1;
        }
        for (i++; i < length; i++) {
            byte b = line[i];
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                return -1;
            }
        }
        return size;
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
