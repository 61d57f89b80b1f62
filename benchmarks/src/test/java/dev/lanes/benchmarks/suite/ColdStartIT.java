package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.CpuSplit;
import dev.lanes.benchmarks.load.ClosedLoop;
import dev.lanes.benchmarks.load.RawOrtRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 9's instruments on the project's own MLP: the class cache a training run writes is one
 * the JVM accepts (the start fails otherwise), a start's time splits into model loading and the
 * rest, a CPU quota holds the node from its first instruction, and the raw process holds its
 * sessions idle. Figures are not asserted: only that each was measured.
 */
class ColdStartIT {
    @TempDir
    Path out;

    @Test
    void measuresStartsWithAndWithoutTheClassCacheAndTheRawProcessIdle() throws Exception {
        System.setProperty("lanes.bench.classpath", "target/lanes-benchmarks.jar:target/libs/*");
        BenchRepository repository = new BenchRepository(Files.createDirectories(out.resolve("repository"))).mlp();
        ColdStart starts = new ColdStart(Path.of("..", "server", "target", "lanes-server.jar"), repository.root(), out);
        Path cache = starts.trainAotCache(List.of(), List.of(repository.model("mlp").orElseThrow().workload()));
        assertTrue(Files.size(cache) > 0, "the training run wrote " + cache);

        ColdStart.Start plain = starts.measure("plain", List.of(), List.of());
        // AOTMode=on (Xshare:on before JDK 25): the JVM refuses to start when it cannot use the cache
        String require = Runtime.version().feature() >= 25 ? "-XX:AOTMode=on" : "-Xshare:on";
        List<String> cachedFlags = new ArrayList<>(List.of(require));
        cachedFlags.addAll(ColdStart.useCacheFlags(cache));
        Path natives = starts.unpackOrtNatives();
        assertTrue(Files.isRegularFile(natives.resolve("libonnxruntime.so")), "the natives were unpacked: " + natives);
        cachedFlags.add(ColdStart.nativePathFlag(natives));
        ColdStart.Start cached = starts.measure("cached", List.of(), cachedFlags);
        assertTrue(!Files.readString(out.resolve("cold-start-cached.log")).contains("[warning]"),
                "the cache's start logs no JVM warning");
        for (ColdStart.Start start : List.of(plain, cached)) {
            assertTrue(start.modelMillis() >= 0 && start.readyMillis() > start.modelMillis(), start.toString());
            assertTrue(start.idleRssBytes() > 0, start.toString());
            assertTrue(start.jitMillisAtReady() >= 0, start.toString());
        }
        // a JVM that starts Helidon, grpc-java and ONNX Runtime has compiled something by the time it is ready
        assertTrue(plain.jitMillisAtReady() > 0, plain.toString());

        try (CpuQuota half = writableQuota(0.5)) {
            ColdStart.Start capped = starts.measure("quota", half.prefix(), List.of());
            assertTrue(capped.readyMillis() > capped.modelMillis(), capped.toString());
            String log = Files.readString(out.resolve("cold-start-quota.log"));
            assertTrue(log.contains("ms of it loading models"), log);
        }

        BenchRepository.BenchModel mlp = repository.model("mlp").orElseThrow();
        List<String> jvm = new ArrayList<>(ServerProcess.benchmarkJvm(CpuSplit.SHARED));
        long rss = RawOrtRun.idleResidentBytes(jvm, List.of(new RawOrtRun.Request(mlp.onnx().toAbsolutePath().toString(),
                mlp.workload(), 1, 1, new ClosedLoop(1, Duration.ZERO, Duration.ofMillis(100), 3, 0.1), "idle mlp")),
                out, out.resolve("raw.log"), Duration.ZERO);
        assertTrue(rss > 0);
        assertTrue(Files.readString(out.resolve("raw.log")).contains("raw-ort idle: 1 models"));
    }

    @Test
    void aQuotaGroupHoldsTheCommandFromItsStart() throws Exception {
        try (CpuQuota small = writableQuota(0.25)) {
            List<String> command = new ArrayList<>(small.prefix());
            command.addAll(List.of("cat", "/proc/self/cgroup"));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String groups = new String(process.getInputStream().readAllBytes());
            assertEquals(0, process.waitFor(), groups);
            assertTrue(groups.contains("lanes-bench-" + ProcessHandle.current().pid()), groups);
        }
    }

    /** This machine (root, cgroup v1 or v2) can make one; without it scenario 9 has no 0.25-CPU replica. */
    private static CpuQuota writableQuota(double cpus) {
        Optional<CpuQuota> quota = CpuQuota.create(cpus);
        assertTrue(quota.isPresent(), "a writable cgroup cpu controller (run as root)");
        return quota.get();
    }
}
