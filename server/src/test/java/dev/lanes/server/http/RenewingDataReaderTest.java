package dev.lanes.server.http;

import io.helidon.common.buffers.DataReader;
import org.junit.jupiter.api.Test;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The renewing reader reads what Helidon's reader reads, and a chunk read earlier holds none read later. */
class RenewingDataReaderTest {
    private static final int CHUNKS = 40;
    private static final int CHUNK_BYTES = 8192;

    @Test
    void overridesEveryPublicMethodOfHelidonsReader() {
        for (Method method : DataReader.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(method.getModifiers()) || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            try {
                RenewingDataReader.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
            } catch (NoSuchMethodException e) {
                fail("DataReader." + method.getName() + " is not overridden: it would read the superclass's "
                        + "empty list (a Helidon upgrade added it)");
            }
        }
    }

    @Test
    void readsTheSameAsHelidonsReaderOverRandomChunks() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 200; round++) {
            byte[] stream = lines(random);
            List<byte[]> chunks = split(stream, random);
            DataReader plain = DataReader.create(supply(chunks));
            DataReader renewing = new RenewingDataReader(supply(chunks));
            long seed = random.nextLong();
            assertEquals(operations(plain, stream, new SplittableRandom(seed)),
                    operations(renewing, stream, new SplittableRandom(seed)), "round " + round);
        }
    }

    @Test
    void aChunkReadEarlierHoldsNoneOfTheChunksReadAfterIt() throws Exception {
        assertTrue(laterChunksCollectedWhileTheFirstIsHeld(true), "chunks read after a held chunk stayed reachable");
    }

    /**
     * Why the renewing reader exists: Helidon's reader links every chunk to the next, so a chunk the
     * collector promoted keeps all later ones alive. When this fails, Helidon clears the link itself
     * and {@link RenewingDataReader} can go.
     */
    @Test
    void helidonsReaderKeepsEveryLaterChunkReachableFromAnEarlierOne() throws Exception {
        assertFalse(laterChunksCollectedWhileTheFirstIsHeld(false),
                "Helidon's DataReader no longer links consumed chunks to later ones");
    }

    /**
     * Reads {@link #CHUNKS} chunks through the renewing reader or Helidon's, holding the list node
     * of the first chunk as a dead node in the old generation is held, and says whether the chunks
     * read after it (but the last, which the reader itself still holds) could be collected.
     */
    private static boolean laterChunksCollectedWhileTheFirstIsHeld(boolean renewing) throws Exception {
        List<WeakReference<byte[]>> later = new ArrayList<>();
        int[] served = {0};
        Supplier<byte[]> source = () -> {
            byte[] chunk = new byte[CHUNK_BYTES];
            int index = served[0]++;
            if (index > 0 && index < CHUNKS - 1) {
                later.add(new WeakReference<>(chunk));
            }
            return chunk;
        };
        DataReader reader = renewing ? new RenewingDataReader(source) : DataReader.create(source);
        reader.readBuffer(CHUNK_BYTES);
        Object firstNode = head(renewing ? current(reader) : reader);
        for (int i = 1; i < CHUNKS; i++) {
            reader.readBuffer(CHUNK_BYTES);
        }
        assertEquals(CHUNKS - 2, later.size());
        boolean collected = collected(later);
        Reference.reachabilityFence(firstNode);
        Reference.reachabilityFence(reader);
        return collected;
    }

    /** Whether every reference is cleared after a few full collections (a collection clears them itself). */
    private static boolean collected(List<WeakReference<byte[]>> references) {
        for (int attempt = 0; attempt < 10; attempt++) {
            if (references.stream().allMatch(reference -> reference.get() == null)) {
                return true;
            }
            System.gc();
        }
        return references.stream().allMatch(reference -> reference.get() == null);
    }

    private static Object head(DataReader reader) throws ReflectiveOperationException {
        Field head = DataReader.class.getDeclaredField("head");
        head.setAccessible(true);
        return head.get(reader);
    }

    private static DataReader current(DataReader renewing) throws ReflectiveOperationException {
        Field current = RenewingDataReader.class.getDeclaredField("current");
        current.setAccessible(true);
        return (DataReader) current.get(renewing);
    }

    /** Lines of printable bytes, each ending in CRLF. */
    private static byte[] lines(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        int count = 1 + random.nextInt(12);
        for (int i = 0; i < count; i++) {
            int length = random.nextInt(60);
            for (int j = 0; j < length; j++) {
                text.append((char) ('a' + random.nextInt(26)));
            }
            text.append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static List<byte[]> split(byte[] stream, SplittableRandom random) {
        List<byte[]> chunks = new ArrayList<>();
        int from = 0;
        while (from < stream.length) {
            int to = Math.min(stream.length, from + 1 + random.nextInt(40));
            chunks.add(Arrays.copyOfRange(stream, from, to));
            from = to;
        }
        return chunks;
    }

    private static Supplier<byte[]> supply(List<byte[]> chunks) {
        ArrayDeque<byte[]> queue = new ArrayDeque<>(chunks);
        return queue::poll;
    }

    /**
     * A random sequence of reads that stays within the stream, and what each returned; a read that
     * throws (a lone LF where a skip ended between CR and LF) ends the sequence with its message.
     */
    private static List<String> operations(DataReader reader, byte[] stream, SplittableRandom random) {
        List<String> results = new ArrayList<>();
        try {
            readRandomly(reader, stream, random, results);
        } catch (DataReader.IncorrectNewLineException e) {
            results.add("threw " + e.getMessage());
        }
        return results;
    }

    private static void readRandomly(DataReader reader, byte[] stream, SplittableRandom random, List<String> results)
            throws DataReader.IncorrectNewLineException {
        int left = stream.length;
        while (left > 0) {
            int n = 1 + random.nextInt(Math.min(left, 30));
            int position = stream.length - left;
            switch (random.nextInt(12)) {
                case 0 -> {
                    results.add("buffer " + reader.readBuffer(n).debugDataHex());
                    left -= n;
                }
                case 1 -> {
                    results.add("bytes " + Arrays.toString(reader.readBytes(n)));
                    left -= n;
                }
                case 2 -> {
                    reader.skip(n);
                    results.add("skip " + n);
                    left -= n;
                }
                case 3 -> {
                    results.add("read " + reader.read());
                    left--;
                }
                case 4 -> results.add("lookup " + reader.lookup());
                case 5 -> results.add("newline at " + reader.findNewLine(left));
                case 6 -> {
                    results.add("ascii " + reader.readAsciiString(n));
                    left -= n;
                }
                case 7 -> {
                    int newline = reader.findNewLine(left);
                    if (newline < left) {
                        String line = reader.readLine();
                        results.add("line " + line);
                        left -= line.length() + 2;
                    }
                }
                case 8 -> {
                    results.add("lazy " + reader.readLazyString(StandardCharsets.US_ASCII, n));
                    left -= n;
                }
                case 9 -> results.add("'e' or newline at " + reader.findOrNewLine((byte) 'e', left));
                case 10 -> {
                    reader.ensureAvailable();
                    results.add("ensured");
                }
                default -> {
                    // the bytes that follow, or the same with one changed: startsWith must tell them apart
                    byte[] prefix = Arrays.copyOfRange(stream, position, position + n);
                    if (random.nextBoolean()) {
                        prefix[random.nextInt(n)] ^= 1;
                    }
                    results.add("starts " + reader.startsWith(prefix) + " " + reader.startsWithNewLine()
                            + " peek " + reader.getBuffer(n).debugDataHex());
                }
            }
            results.add("available " + reader.available());
        }
    }
}
