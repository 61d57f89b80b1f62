package dev.lanes.benchmarks.load;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The raw ONNX Runtime baseline in a process of its own, so it can run on the CPUs the node runs
 * on while the generator keeps its own: reads a {@link Request}, measures, writes the
 * {@link LoadResult}. The callers are the threads that run ORT, as in the generator's own process.
 *   java -cp ... dev.lanes.benchmarks.load.RawOrtRun REQUEST_FILE RESULT_FILE
 */
public final class RawOrtRun {
    /** What to measure: the model, its input, the sessions and threads, the closed loop. */
    public record Request(String onnx, Workload workload, int instances, int intraOpThreads, ClosedLoop loop,
                          String label) implements Serializable {
    }

    private RawOrtRun() {
    }

    public static void main(String[] args) throws Exception {
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
            result = request.loop().run(raw, request.label(), OptionalLong.empty(), true);
        }
        write(Path.of(args[1]), result);
    }

    private static String allowedCpus() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return "unknown";
        }
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
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
