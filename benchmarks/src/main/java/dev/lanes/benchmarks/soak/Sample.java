package dev.lanes.benchmarks.soak;

import java.util.Locale;

/** One 10-second reading of the node under soak. */
record Sample(double seconds, long residentBytes, long heapAfterGcBytes, long directBytes, int threads, int openFiles,
              long ok, long rejected, long failed, long skipped, double p99Millis) {
    static final String CSV_HEADER = "seconds,resident_bytes,heap_after_gc_bytes,direct_bytes,threads,open_files,"
            + "ok,rejected,failed,skipped,p99_ms";

    String csv() {
        return String.format(Locale.ROOT, "%.0f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.2f", seconds, residentBytes, heapAfterGcBytes,
                directBytes, threads, openFiles, ok, rejected, failed, skipped, p99Millis);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "t=%.0fs rss=%d MiB heap-after-gc=%d MiB direct=%d MiB threads=%d files=%d "
                        + "ok=%d 503=%d failed=%d skipped=%d p99=%.1f ms", seconds, residentBytes >> 20,
                heapAfterGcBytes >> 20, directBytes >> 20, threads, openFiles, ok, rejected, failed, skipped, p99Millis);
    }
}
