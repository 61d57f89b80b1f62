package dev.lanes.benchmarks.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Sums a node's CPU profile (async-profiler's collapsed stacks, native and kernel frames included)
 * into where each request's time on the core goes: ONNX Runtime's run, the socket, the thread
 * hand-offs, the JIT and the rest, in microseconds per request. Each stack counts once, in the
 * first category whose rule it matches, in the order below.
 *
 * <p>Given the node's CPU time over the window the requests were counted in (from
 * {@code /proc/PID/stat}), each category's share of the samples is scaled to it, instead of
 * taking every sample as one interval: in one experiment (batches run on the callers' virtual
 * threads, docs/benchmarks.md) async-profiler 4.2 recorded about one and a half times as many samples
 * as the node had CPU time, so the samples alone can overstate the microseconds.
 *
 * <pre>java -cp ... dev.lanes.benchmarks.profile.ProfileSummary COLLAPSED_FILE REQUESTS [--cpu-micros N | INTERVAL_MICROS]</pre>
 */
public final class ProfileSummary {
    /** A category and the rule that puts a stack (its frames joined by ';') in it. */
    record Category(String name, Predicate<String> matches) {
    }

    static final List<Category> CATEGORIES = List.of(
            new Category("ONNX Runtime session.run", s -> s.contains("OrtSession.run")),
            new Category("JIT compilers", s -> s.contains("C2Compiler") || s.contains("Compile::")
                    || s.contains("Compilation::") || s.contains("CompileBroker")),
            new Category("socket reads (kernel copy included)", s -> s.contains("NioSocket.get")
                    || s.contains("SocketChannelImpl.read")),
            new Category("socket writes", s -> s.contains("NioSocket.write") || s.contains("SocketChannelImpl.write")
                    || s.contains("writeBytesMultiple") || s.contains("doWriteBytes")),
            new Category("thread CPU clock (compute_cpu meter)", s -> s.contains("ThreadCpuClock")),
            new Category("gRPC: protobuf parse and tensor copy", s -> s.contains("MalformedRequests")
                    || s.contains("GrpcTensors")),
            new Category("virtual thread park and unpark", s -> s.contains("VirtualThread.park")
                    || s.contains("VirtualThread.unpark") || s.contains("yieldContinuation")),
            new Category("REST decode", s -> s.contains("InferRequestDecoder")),
            new Category("REST encode and send", s -> s.contains("InferResponseEncoder") || s.contains("InferRoute.send")),
            new Category("batcher and instance thread", s -> s.contains("DynamicBatcher") || s.contains("InferenceTask")),
            // a carrier's own frames: looking for work, parking, waking; what a virtual thread runs on
            // it is the next rule's (until 4348f8d this rule took both)
            new Category("carrier threads idle and waking (ForkJoinPool)", s -> s.contains("ForkJoinPool")
                    && !s.contains("VirtualThread.runContinuation")),
            new Category("request handling on virtual threads (Helidon's HTTP/1, Lanes' filters and routing, "
                    + "mounting)", s -> s.contains("VirtualThread.runContinuation")),
            new Category("poller and event loops (epoll)", s -> s.contains("Poller") || s.contains("EpollEventLoop")
                    || s.contains("epoll")),
            new Category("HTTP/1 and HTTP/2 handling", s -> s.contains("helidon") || s.contains("netty")
                    || s.contains("io/grpc")),
            new Category("GC", s -> s.contains("GC") || s.contains("G1") || s.contains("Serial")),
            new Category("other", s -> true));

    private ProfileSummary() {
    }

    /** Samples per category, in {@link #CATEGORIES} order; lines that end in no sample count are skipped. */
    static Map<String, Long> summarize(List<String> collapsedLines) {
        Map<String, Long> samples = new LinkedHashMap<>();
        CATEGORIES.forEach(category -> samples.put(category.name(), 0L));
        for (String line : collapsedLines) {
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            String stack = line.substring(0, space);
            String countText = line.substring(space + 1).trim();
            if (countText.isEmpty() || !countText.chars().allMatch(Character::isDigit)) {
                continue; // not a collapsed-stack line
            }
            long count = Long.parseLong(countText);
            for (Category category : CATEGORIES) {
                if (category.matches().test(stack)) {
                    samples.merge(category.name(), count, Long::sum);
                    break;
                }
            }
        }
        return samples;
    }

    /** A markdown table: samples, share and µs per request at {@code intervalMicros} per sample. */
    static String table(Map<String, Long> samples, long requests, double intervalMicros) {
        long total = samples.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder md = new StringBuilder("| where | samples | share | µs per request |\n|---|---|---|---|\n");
        samples.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> md.append(String.format(Locale.ROOT, "| %s | %d | %.1f %% | %.1f |%n", e.getKey(),
                        e.getValue(), 100.0 * e.getValue() / total, e.getValue() * intervalMicros / requests)));
        md.append(String.format(Locale.ROOT, "| **all** | %d | 100 %% | %.1f |%n", total,
                total * intervalMicros / requests));
        return md.toString();
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ProfileSummary COLLAPSED_FILE REQUESTS [--cpu-micros N | INTERVAL_MICROS]");
            System.exit(2);
        }
        Map<String, Long> samples = summarize(Files.readAllLines(Path.of(args[0])));
        double interval = args.length > 3 && args[2].equals("--cpu-micros")
                ? intervalFor(samples, Double.parseDouble(args[3]))
                : args.length > 2 ? Double.parseDouble(args[2]) : 1000;
        System.out.print(table(samples, Long.parseLong(args[1]), interval));
    }

    /** The CPU each sample stands for when the samples together stand for {@code cpuMicros}. */
    static double intervalFor(Map<String, Long> samples, double cpuMicros) {
        long total = samples.values().stream().mapToLong(Long::longValue).sum();
        return total == 0 ? 0 : cpuMicros / total;
    }
}
