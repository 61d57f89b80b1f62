package dev.lanes.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which CPUs the measured side (a Lanes node, the echo route, raw ONNX Runtime) and the load
 * generator run on. Split (the default where this process may use two CPUs or more and taskset
 * exists): the measured side gets the upper half of the allowed CPUs and the generator the lower
 * half, so a ratio against raw ONNX Runtime on the same CPUs shows the node's own cost, not the
 * generator's. Shared: everything on every CPU, as before.
 *
 * @param measured  taskset list for servers and the raw baseline, or null when shared
 * @param generator taskset list for this process (the generator), or null when shared
 */
public record CpuSplit(String measured, String generator) {
    public static final CpuSplit SHARED = new CpuSplit(null, null);

    public static CpuSplit choose(boolean shared) throws IOException {
        List<Integer> allowed = allowedCpus();
        if (shared || allowed.size() < 2 || !onPath("taskset")) {
            return SHARED;
        }
        int half = allowed.size() / 2;
        return new CpuSplit(list(allowed.subList(half, allowed.size())), list(allowed.subList(0, half)));
    }

    /** Prints the split as "MEASURED GENERATOR" (empty where shared), for scripts (bin/bench profile). */
    public static void main(String[] args) throws IOException {
        CpuSplit split = choose(args.length > 0 && args[0].equals("--shared-cores"));
        System.out.println(split.split() ? split.measured() + " " + split.generator() : "");
    }

    public boolean split() {
        return measured != null;
    }

    /** Undoes a pinning. */
    public interface Pinning extends AutoCloseable {
        @Override
        void close() throws IOException, InterruptedException;
    }

    /**
     * Pins every thread of this process (the generator) to its CPUs (threads started later inherit
     * it) until the returned pinning closes, which restores the CPUs it had.
     */
    public Pinning pinThisProcess() throws IOException, InterruptedException {
        return split() ? pin(ProcessHandle.current().pid(), generator) : () -> { };
    }

    /**
     * Pins every thread of a server already running (bin/bench load --server-pid) to the measured
     * CPUs until the returned pinning closes, which gives it back the CPUs it had.
     */
    public Pinning pinServer(long pid) throws IOException, InterruptedException {
        return split() ? pin(pid, measured) : () -> { };
    }

    private static Pinning pin(long pid, String cpus) throws IOException, InterruptedException {
        String before = list(allowedCpusOf(pid));
        taskset(pid, cpus);
        return () -> taskset(pid, before);
    }

    private static void taskset(long pid, String cpus) throws IOException, InterruptedException {
        Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
                .redirectErrorStream(true).start();
        String output = new String(taskset.getInputStream().readAllBytes());
        if (taskset.waitFor() != 0) {
            throw new IOException("taskset could not pin process " + pid + " to CPUs " + cpus + ": " + output);
        }
    }

    /** The command prefix that runs a measured process on its CPUs. */
    public List<String> prefix() {
        return split() ? List.of("taskset", "-c", measured) : List.of();
    }

    /**
     * The prefix that runs a process on one CPU (the first of the measured side, or of all when the
     * cores are shared), as a one-CPU replica; none where taskset is missing.
     */
    public List<String> oneCpuPrefix() throws IOException {
        if (!onPath("taskset")) {
            return List.of();
        }
        String cpu = split() ? measured.split(",")[0] : Integer.toString(allowedCpus().get(0));
        return List.of("taskset", "-c", cpu);
    }

    public String describe() {
        return split()
                ? "split with taskset: servers and raw ONNX Runtime on CPU " + measured + ", the load generator on CPU "
                        + generator + " (each ratio compares the node with raw ONNX Runtime on the same CPUs)"
                : "shared: generator, servers and raw ONNX Runtime run on the same machine and share its cores";
    }

    /** This process's allowed CPUs (Linux: Cpus_allowed_list), or as many as the JVM sees. */
    public static List<Integer> allowedCpus() throws IOException {
        return allowedCpus(Path.of("/proc/self/status"), Runtime.getRuntime().availableProcessors());
    }

    /** Another process's allowed CPUs (Linux). */
    static List<Integer> allowedCpusOf(long pid) throws IOException {
        return allowedCpus(Path.of("/proc", Long.toString(pid), "status"), -1);
    }

    /** A process's allowed CPUs from its /proc status, else the first {@code fallback} CPUs. */
    private static List<Integer> allowedCpus(Path status, int fallback) throws IOException {
        if (Files.isReadable(status)) {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parse(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        }
        if (fallback < 0) {
            throw new IOException("cannot read the CPUs of " + status);
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < fallback; i++) {
            all.add(i);
        }
        return all;
    }

    /** A kernel CPU list such as {@code 0-3,8,10-11}. */
    public static List<Integer> parse(String list) {
        TreeSet<Integer> cpus = new TreeSet<>();
        for (String part : list.split(",")) {
            String range = part.trim();
            if (range.isEmpty()) {
                continue;
            }
            int dash = range.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
            for (int cpu = from; cpu <= to; cpu++) {
                cpus.add(cpu);
            }
        }
        return new ArrayList<>(cpus);
    }

    private static String list(List<Integer> cpus) {
        return cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
