package dev.lanes.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The raw ONNX Runtime baseline in a process of its own, so it can run on the CPUs the node runs
 * on while the generator keeps its own: reads a {@link Request}, measures, writes the
 * {@link LoadResult}. The callers are the threads that run ORT, as in the generator's own process.
 *   java -cp ... dev.lanes.benchmarks.load.RawOrtRun REQUEST_FILE RESULT_FILE
 *
 * <p>With {@code --idle REQUESTS_FILE} it holds the sessions of every request instead, each run
 * once (as the node warms its instances), and waits to be killed: the raw process whose memory
 * an idle node is compared with.
 */
public final class RawOrtRun {
    /** What to measure: the model, its input, the sessions and threads, the closed loop. */
    public record Request(String onnx, Workload workload, int instances, int intraOpThreads, ClosedLoop loop,
                          String label) implements Serializable {
    }

    private RawOrtRun() {
    }

    static final String IDLE_LINE = "raw-ort idle";

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--idle")) {
            holdIdle(Path.of(args[1]));
            return;
        }
        if (args.length != 2) {
            System.err.println("usage: RawOrtRun REQUEST_FILE RESULT_FILE");
            System.exit(2);
        }
        Request request;
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(args[0])))) {
            request = (Request) in.readObject();
        }
        // where it runs, for the record (the suite checks it ran on the node's CPUs)
        System.out.println("raw-ort " + request.label() + " on CPUs " + allowedCpus());
        LoadResult result;
        try (RawOrt raw = new RawOrt(Path.of(request.onnx()), request.workload(), request.instances(),
                request.intraOpThreads())) {
            // its own CPU as the "server's": what raw ORT spends per inference, beside the node's per request
            result = request.loop().run(raw, request.label(), OptionalLong.of(ProcessHandle.current().pid()), true);
        }
        write(Path.of(args[1]), result);
    }

    @SuppressWarnings("unchecked")
    private static void holdIdle(Path requestsFile) throws Exception {
        List<Request> requests;
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(requestsFile))) {
            requests = (List<Request>) in.readObject();
        }
        List<RawOrt> held = new ArrayList<>();
        for (Request request : requests) {
            RawOrt raw = new RawOrt(Path.of(request.onnx()), request.workload(), request.instances(),
                    request.intraOpThreads());
            held.add(raw);
            for (int i = 0; i < request.instances(); i++) {
                try (Caller caller = raw.newCaller()) { // callers take the sessions in turn
                    caller.call();
                }
            }
        }
        // what a process needs is the sessions: the callers' input copies and buffers are garbage now
        System.gc();
        System.out.println(IDLE_LINE + ": " + held.size() + " models");
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }

    /**
     * Starts a process holding the sessions of {@code requests} idle, waits {@code settle} after
     * they are loaded and warmed, and returns its resident memory.
     */
    public static long idleResidentBytes(List<String> command, List<Request> requests, Path directory, Path log,
                                         Duration settle) throws IOException, InterruptedException {
        Path requestsFile = Files.createTempFile(directory, "raw-idle", ".ser");
        Process process;
        try {
            write(requestsFile, new ArrayList<>(requests));
            List<String> full = new ArrayList<>(command);
            full.addAll(List.of(RawOrtRun.class.getName(), "--idle", requestsFile.toString()));
            process = new ProcessBuilder(full).redirectErrorStream(true).start();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(requestsFile);
            throw e;
        }
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer copy = Files.newBufferedWriter(log, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            for (String line = lines.readLine(); ; line = lines.readLine()) {
                if (line == null) {
                    throw new IOException("the idle raw ONNX Runtime process ended early; see " + log);
                }
                copy.write(line + "\n");
                if (line.startsWith(IDLE_LINE)) {
                    break;
                }
            }
            Thread.sleep(settle.toMillis()); // the settle time is what is measured: no event to wait on
            return residentBytes(process.pid());
        } finally {
            process.destroyForcibly().waitFor();
            Files.deleteIfExists(requestsFile);
        }
    }

    /** VmRSS of a live process, from /proc. */
    public static long residentBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    private static String allowedCpus() throws IOException {
        return CpuSplit.allowedCpus().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static void write(Path file, Object value) throws IOException {
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
            out.writeObject(value);
        }
    }

    /** Writes {@code request}, runs it with {@code command} (java and its flags, a CPU prefix first), reads the result. */
    public static LoadResult run(List<String> command, Request request, Path directory, Path log)
            throws IOException, InterruptedException, ClassNotFoundException {
        Path requestFile = Files.createTempFile(directory, "raw-request", ".ser");
        Path resultFile = Files.createTempFile(directory, "raw-result", ".ser");
        write(requestFile, request);
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of(RawOrtRun.class.getName(), requestFile.toString(), resultFile.toString()));
        Process process = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException("the raw ONNX Runtime run exited with " + exit + "; see " + log);
        }
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(resultFile))) {
            return (LoadResult) in.readObject();
        } finally {
            Files.deleteIfExists(requestFile);
            Files.deleteIfExists(resultFile);
        }
    }
}
