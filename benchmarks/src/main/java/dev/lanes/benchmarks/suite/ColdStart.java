package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.Caller;
import dev.lanes.benchmarks.load.Protocol;
import dev.lanes.benchmarks.load.RawOrtRun;
import dev.lanes.benchmarks.load.Target;
import dev.lanes.benchmarks.load.Workload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Scenario 9: a new replica's cold start, from the process starting to its first 200 on
 * {@code /v2/health/ready}, split into the node's own start and the part it spends loading and
 * warming models (which it logs), and what it holds in memory once idle.
 *
 * <p>With {@link #trainAotCache}, a training run writes the JDK's class cache for the node (JDK 25's
 * AOT cache, or a dynamic CDS archive before it) as an image build would, so the same start can be
 * measured with and without it.
 */
final class ColdStart {
    private static final Pattern MODEL_MILLIS = Pattern.compile("(\\d+) ms of it loading models");
    /** Readiness is polled this often: the figure's resolution. */
    private static final Duration POLL = Duration.ofMillis(5);
    /** An idle node's memory is read this long after it is ready (late class loading, JIT, GC settle). */
    static final Duration IDLE_SETTLE = Duration.ofSeconds(5);

    /**
     * One start: wall time to ready, the node's model loading within it, the CPU its JIT compilers
     * had used by then (on one CPU they take it from the start itself; a lower bound, as HotSpot
     * ends idle compiler threads and their time with them), and its idle RSS.
     */
    record Start(String label, double readyMillis, double modelMillis, double jitMillisAtReady, long idleRssBytes) {
        double beyondModelsMillis() {
            return readyMillis - modelMillis;
        }
    }

    private final Path serverJar;
    private final Path repository;
    private final Path out;

    ColdStart(Path serverJar, Path repository, Path out) {
        this.serverJar = serverJar;
        this.repository = repository;
        this.out = out;
    }

    /**
     * The JVM flags that use a class cache written by {@link #trainAotCache}, as the image's
     * ENTRYPOINT does (JDK 25 warns on every start that two cached adapters do not link).
     */
    static List<String> useCacheFlags(Path cache) {
        return Runtime.version().feature() >= 25 ? List.of("-XX:AOTCache=" + cache, "-Xlog:aot*=error")
                : List.of("-XX:SharedArchiveFile=" + cache);
    }

    /**
     * ONNX Runtime's natives for this machine's platform, unpacked from the server's jars into
     * {@code out} as the image build does (deploy/keep-ort-platform.sh); a node given
     * {@link #nativePathFlag} loads them from there instead of inflating them from its jar on start.
     */
    Path unpackOrtNatives() throws IOException {
        String platform = System.getProperty("os.arch").toLowerCase(Locale.ROOT).contains("aarch64")
                ? "linux-aarch64" : "linux-x64";
        String prefix = "ai/onnxruntime/native/" + platform + "/";
        Path natives = Files.createDirectories(out.resolve("ort-native"));
        int unpacked = 0;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(serverJar.toAbsolutePath().getParent().resolve("libs"),
                "onnxruntime*.jar")) {
            for (Path jar : jars) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    for (ZipEntry entry : Collections.list(zip.entries())) {
                        String name = entry.getName();
                        if (!entry.isDirectory() && name.startsWith(prefix) && name.indexOf('/', prefix.length()) < 0) {
                            try (InputStream in = zip.getInputStream(entry)) {
                                Files.copy(in, natives.resolve(name.substring(prefix.length())),
                                        StandardCopyOption.REPLACE_EXISTING);
                            }
                            unpacked++;
                        }
                    }
                }
            }
        }
        if (unpacked == 0) {
            throw new IOException("no ONNX Runtime natives for " + platform + " in the jars beside " + serverJar);
        }
        return natives;
    }

    /** The flag of the image's ENTRYPOINT that loads ONNX Runtime's natives from {@code natives}. */
    static String nativePathFlag(Path natives) {
        return "-Donnxruntime.native.path=" + natives.toAbsolutePath();
    }

    /**
     * Runs the node once with the flag that writes the class cache at exit, sends it a few requests
     * of each workload (so the classes of the inference path are in it too), and stops it.
     */
    Path trainAotCache(List<String> prefix, List<Workload> workloads) throws IOException, InterruptedException {
        Path cache = out.resolve(Runtime.version().feature() >= 25 ? "lanes.aot" : "lanes.jsa");
        Files.deleteIfExists(cache);
        String writeFlag = Runtime.version().feature() >= 25 ? "-XX:AOTCacheOutput=" + cache
                : "-XX:ArchiveClassesAtExit=" + cache;
        // closing it stops the JVM, which writes the cache as it exits
        try (ServerProcess node = launch("training", prefix, List.of(writeFlag))) {
            for (Workload workload : workloads) {
                for (Protocol protocol : List.of(Protocol.REST_BINARY, Protocol.GRPC)) {
                    try (Target target = new Target("127.0.0.1", node.port(), node.grpcPort(), protocol, workload, 1);
                         Caller caller = target.newCaller()) {
                        for (int i = 0; i < 20; i++) {
                            caller.call();
                        }
                    }
                }
            }
        }
        if (!Files.isRegularFile(cache)) {
            throw new IOException("the training run wrote no class cache " + cache + "; see " + log("training"));
        }
        return cache;
    }

    /** One cold start under {@code prefix} (taskset, a CPU quota) with {@code jvmFlags}. */
    Start measure(String label, List<String> prefix, List<String> jvmFlags) throws IOException, InterruptedException {
        try (ServerProcess node = launch(label, prefix, jvmFlags)) {
            double jitMillis = JitSettle.compilerSeconds(Map.of(), JitSettle.compilerTicks(node.pid())) * 1000;
            Thread.sleep(IDLE_SETTLE.toMillis()); // the settle time is what is measured: no event to wait on
            long rss = RawOrtRun.residentBytes(node.pid());
            double modelMillis = modelMillis(Files.readString(log(label)))
                    .orElseThrow(() -> new IOException("no 'ms of it loading models' line in " + log(label)));
            return new Start(label, node.readyMillis(), modelMillis, jitMillis, rss);
        }
    }

    static Optional<Double> modelMillis(String log) {
        Matcher matcher = MODEL_MILLIS.matcher(log);
        return matcher.find() ? Optional.of(Double.parseDouble(matcher.group(1))) : Optional.empty();
    }

    /** A node started under {@code prefix} with {@code jvmFlags}, once it is ready. */
    private ServerProcess launch(String label, List<String> prefix, List<String> jvmFlags) throws IOException {
        int port = ServerProcess.freePort();
        int grpcPort = ServerProcess.freePort();
        List<String> flags = new ArrayList<>(List.of("-Djava.util.logging.manager=dev.lanes.server.log.ShutdownLogManager"));
        flags.addAll(jvmFlags);
        List<String> command = ServerProcess.lanesCommand(prefix, flags, serverJar, repository, port, grpcPort,
                List.of("--set", "lanes.server.drain-grace=PT0S"));
        return ServerProcess.start(command, port, grpcPort, log(label), POLL);
    }

    private Path log(String label) {
        return out.resolve("cold-start-" + label.replaceAll("[^A-Za-z0-9.]+", "-") + ".log");
    }
}
