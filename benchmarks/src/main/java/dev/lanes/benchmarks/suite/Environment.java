package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.CpuSplit;
import ai.onnxruntime.OrtEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where the figures were measured: commit, CPU, memory, OS, JVM and its flags, runtime versions. */
final class Environment {
    private Environment() {
    }

    static Map<String, Object> describe(List<String> jvmFlags, CpuSplit cpus) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("commit", git("rev-parse", "--short", "HEAD") + (git("status", "--porcelain").isBlank() ? "" : " (with local changes)"));
        // the machine's, not this process's: the generator may be pinned to part of them
        map.put("cpu", cpuModel() + ", " + machineCpus() + " cores");
        map.put("memory", memory());
        map.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        map.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        map.put("server_jvm_flags", String.join(" ", jvmFlags) + " (default heap and GC)");
        map.put("onnxruntime", OrtEnvironment.getEnvironment().getVersion());
        map.put("sharing", cpus.describe());
        return map;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static long machineCpus() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count();
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB").findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String git(String... args) {
        try {
            List<String> command = new java.util.ArrayList<>(List.of("git"));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes()).trim();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? text : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
