package dev.lanes.signals;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Memory the JVM's heap meters do not show, which is what the kernel's OOM killer counts: the
 * resident set (ONNX Runtime's weights and arenas live there, outside heap and direct buffers)
 * and the tensor buffer pool's direct memory. ONNX Runtime's Java API does not expose its arena
 * sizes, so the resident set minus heap and direct memory is the estimate of them.
 */
public final class NativeMemoryMeters {
    private static final Path STATUS = Path.of("/proc/self/status");

    private NativeMemoryMeters() {
    }

    /** Publishes {@code process_resident_memory_bytes} where the system tells it (Linux). */
    public static void bindResidentMemory(MeterRegistry registry) {
        if (residentBytes() < 0) {
            return;
        }
        Gauge.builder(MeterNames.RESIDENT_MEMORY, NativeMemoryMeters::residentBytes)
                .description("Resident set size of the process: heap, direct buffers and native memory")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
    }

    public static void bindBufferPool(MeterRegistry registry, LongSupplier leased, LongSupplier retained) {
        Gauge.builder(MeterNames.BUFFER_POOL_LEASED, leased::getAsLong)
                .description("Direct memory of tensor buffers in use by requests")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
        Gauge.builder(MeterNames.BUFFER_POOL_RETAINED, retained::getAsLong)
                .description("Direct memory the tensor buffer pool keeps for reuse")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
    }

    /** VmRSS from /proc/self/status, in bytes; -1 where there is no such file. */
    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] fields = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(fields[0]) * 1024.0; // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
