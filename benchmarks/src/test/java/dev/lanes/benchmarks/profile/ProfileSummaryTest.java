package dev.lanes.benchmarks.profile;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stacks land in the first category whose rule they match; the table divides by requests. */
class ProfileSummaryTest {
    private static final List<String> STACKS = List.of(
            "java/lang/Thread.run;dev/lanes/runtime/batch/DynamicBatcher.execute;ai/onnxruntime/OrtSession.run;"
                    + "libonnxruntime.so 700",
            "java/lang/Thread.run;dev/lanes/runtime/batch/DynamicBatcher.execute;"
                    + "dev/lanes/runtime/batch/ThreadCpuClock$$Lambda.nanos;__x64_sys_clock_gettime_[k] 20",
            "jdk/internal/vm/Continuation.run;io/helidon/common/socket/NioSocket.get;_copy_to_iter_[k] 60",
            "java/util/concurrent/ForkJoinWorkerThread.run;java/util/concurrent/ForkJoinPool.awaitWork;"
                    + "__x64_sys_futex_[k] 50",
            "thread_native_entry;C2Compiler::compile_method;PhaseChaitin::Split 30",
            "java/util/concurrent/ForkJoinWorkerThread.run;java/util/concurrent/ForkJoinPool.runWorker;"
                    + "java/lang/VirtualThread.runContinuation;io/helidon/webserver/http1/Http1Connection.handle 80",
            "malformed line without a count",
            "start_thread;something_else 40");

    @Test
    void eachStackCountsOnceInTheFirstMatchingCategory() {
        Map<String, Long> samples = ProfileSummary.summarize(STACKS);
        assertEquals(700, samples.get("ONNX Runtime session.run"));
        assertEquals(20, samples.get("thread CPU clock (compute_cpu meter)"), "before the batcher's rule");
        assertEquals(60, samples.get("socket reads (kernel copy included)"));
        assertEquals(50, samples.get("carrier threads idle and waking (ForkJoinPool)"), "a carrier's own frames only");
        assertEquals(80, samples.get("request handling on virtual threads (Helidon's HTTP/1, Lanes' filters and "
                + "routing, mounting)"), "what a virtual thread runs on its carrier");
        assertEquals(30, samples.get("JIT compilers"));
        assertEquals(40, samples.get("other"));
        assertEquals(0, samples.get("batcher and instance thread"));
        assertEquals(980, samples.values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void theTableGivesMicrosecondsPerRequest() {
        String table = ProfileSummary.table(ProfileSummary.summarize(STACKS), 100, 1000);
        assertTrue(table.contains("| ONNX Runtime session.run | 700 | 71.4 % | 7000.0 |"), table);
        assertTrue(table.contains("| **all** | 980 | 100 % | 9800.0 |"), table);
        assertTrue(!table.contains("batcher and instance thread"), "empty categories are left out");
    }

    @Test
    void scaledToTheNodesMeasuredCpu_sharesKeepTheirProportions() {
        var samples = ProfileSummary.summarize(STACKS); // 980 samples
        double interval = ProfileSummary.intervalFor(samples, 490_000); // they stand for 0.49 s of CPU
        assertEquals(500, interval, 1e-9);
        String table = ProfileSummary.table(samples, 100, interval);
        assertTrue(table.contains("| ONNX Runtime session.run | 700 | 71.4 % | 3500.0 |"), table);
        assertTrue(table.contains("| **all** | 980 | 100 % | 4900.0 |"), table);
    }
}
