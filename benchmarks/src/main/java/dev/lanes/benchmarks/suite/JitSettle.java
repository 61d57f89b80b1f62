package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.Caller;
import dev.lanes.benchmarks.load.CallerSource;
import dev.lanes.benchmarks.load.Outcome;
import dev.lanes.benchmarks.load.Protocol;
import dev.lanes.benchmarks.load.Target;
import dev.lanes.benchmarks.load.Workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Warms a server with load until its JIT compilers have settled, so a measurement sees its steady
 * state. On one CPU the compilers share the core with the requests: a node took over a minute of
 * load before C2 was done (profiled in docs/benchmarks.md), and a fixed few seconds of warm-up
 * measured it a quarter below its steady rate. The compilers' CPU time is read from /proc per
 * thread (HotSpot names them "C1 CompilerThread" and "C2 CompilerThread"), so this works for any
 * JVM, Lanes or the echo route.
 */
final class JitSettle {
    static final Duration WINDOW = Duration.ofSeconds(2);
    /**
     * Settled: the compilers used under 2 % of one CPU in each of the last three windows. One quiet
     * window is not enough: C2 works in bursts as methods reach their thresholds, and a node
     * declared settled after one still spent 15 % of its CPU compiling in the next ten seconds.
     */
    static final double SETTLED_SHARE = 0.02;
    static final int QUIET_WINDOWS = 3;
    /** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;

    private JitSettle() {
    }

    /**
     * Drives {@code source} with {@code callers} closed-loop callers until the JIT of process
     * {@code pid} settles or {@code limit} passes.
     *
     * @return seconds of load it took, negative when it had not settled by the limit
     */
    static double warm(CallerSource source, long pid, int callers, Duration limit) throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            threads.add(Thread.ofPlatform().daemon().name("bench-warm-" + i).start(() -> {
                try (Caller caller = source.newCaller()) {
                    while (running.get()) {
                        if (caller.call().kind() == Outcome.Kind.OK) {
                            answered.incrementAndGet();
                        }
                    }
                }
            }));
        }
        long started = System.nanoTime();
        try {
            Map<String, Long> before = compilerTicks(pid);
            int quiet = 0;
            while (System.nanoTime() - started < limit.toNanos()) {
                long answeredBefore = answered.get();
                Thread.sleep(WINDOW.toMillis()); // the window is the measurement: nothing to wait on
                if (answered.get() == answeredBefore) {
                    throw new IllegalStateException("no request was answered in " + WINDOW.toSeconds()
                            + " s of warm-up: the JIT is not warmed by failures");
                }
                Map<String, Long> now = compilerTicks(pid);
                quiet = compilerSeconds(before, now) < SETTLED_SHARE * WINDOW.toNanos() / 1e9 ? quiet + 1 : 0;
                if (quiet == QUIET_WINDOWS) {
                    return (System.nanoTime() - started) / 1e9;
                }
                before = now;
            }
            return -(System.nanoTime() - started) / 1e9;
        } finally {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    /**
     * CPU seconds the compiler threads used between two readings. Per thread: HotSpot starts and
     * stops compiler threads on demand, and a thread that ended must not make the sum go down.
     */
    static double compilerSeconds(Map<String, Long> before, Map<String, Long> now) {
        long ticks = 0;
        for (Map.Entry<String, Long> thread : now.entrySet()) {
            ticks += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
        }
        return ticks / TICKS_PER_SECOND;
    }

    /**
     * For scripts (bin/bench profile): loads a running node until its JIT settles.
     * Arguments: HOST REST_PORT GRPC_PORT PROTOCOL MODEL INPUT_SPEC PID [LIMIT_SECONDS [CALLERS]].
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: JitSettle HOST REST_PORT GRPC_PORT PROTOCOL MODEL INPUT_SPEC PID [LIMIT_SECONDS [CALLERS]]");
            System.exit(2);
        }
        Duration limit = Duration.ofSeconds(args.length > 7 ? Long.parseLong(args[7]) : 300);
        int callers = args.length > 8 ? Integer.parseInt(args[8]) : 8;
        if (callers < 1) {
            throw new IllegalArgumentException("CALLERS must be at least 1, not " + callers);
        }
        try (Target target = new Target(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Protocol.parse(args[3]), Workload.parse(args[4], args[5]), 4)) {
            double seconds = warm(target, Long.parseLong(args[6]), callers, limit);
            System.err.printf("bench: JIT %s after %.0f s of load%n", seconds < 0 ? "still compiling" : "settled",
                    Math.abs(seconds));
        }
    }

    /** Each JIT compiler thread's CPU ticks (utime + stime), by thread id, from /proc. */
    static Map<String, Long> compilerTicks(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path task : threads.toList()) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    // fields after the parenthesised name: state is the 3rd, utime the 14th, stime the 15th
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.put(task.getFileName().toString(), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                } catch (IOException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the threads of process " + pid, e);
        }
        return ticks;
    }
}
