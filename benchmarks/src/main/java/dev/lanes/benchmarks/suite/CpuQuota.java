package dev.lanes.benchmarks.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A CFS quota of a fraction of one CPU, as a Kubernetes CPU limit sets it, in a cgroup of its own
 * (the v1 cpu controller or cgroup v2's cpu.max). The command joins the group before it execs, so
 * the quota holds from the process's first instruction, which a cold start needs.
 */
public final class CpuQuota implements AutoCloseable {
    private static final long PERIOD_MICROS = 100_000;

    private final Path group;

    private CpuQuota(Path group) {
        this.group = group;
    }

    /** A group allowing {@code cpus} of one CPU, or empty where this process cannot make one. */
    static Optional<CpuQuota> create(double cpus) {
        return create("lanes-bench-" + ProcessHandle.current().pid(), cpus);
    }

    /** The same, named {@code name} under the controller's root. */
    public static Optional<CpuQuota> create(String name, double cpus) {
        long quota = Math.round(cpus * PERIOD_MICROS);
        Path v1 = Path.of("/sys/fs/cgroup/cpu");
        Path v2 = Path.of("/sys/fs/cgroup");
        Path made = null;
        try {
            if (Files.isWritable(v1) && Files.exists(v1.resolve("cpu.cfs_quota_us"))) {
                Path group = made = Files.createDirectories(v1.resolve(name));
                Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
                Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
                return Optional.of(new CpuQuota(group));
            }
            if (Files.isWritable(v2) && Files.exists(v2.resolve("cgroup.controllers"))) {
                Path group = made = Files.createDirectories(v2.resolve(name));
                Files.writeString(group.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
                return Optional.of(new CpuQuota(group));
            }
        } catch (IOException e) {
            System.err.println("bench: cannot make a cgroup with a CPU quota: " + e.getMessage());
            if (made != null) {
                made.toFile().delete();
            }
        }
        return Optional.empty();
    }

    /** Runs the rest of a command inside the group: the shell moves itself in, then execs it. */
    public List<String> prefix() {
        return List.of("sh", "-c", "echo $$ > \"$0\"/cgroup.procs && exec \"$@\"", group.toString());
    }

    /** Removes the group; call once its processes have exited. */
    @Override
    public void close() {
        // a group with no process left in it is removed like an empty directory
        if (!group.toFile().delete()) {
            System.err.println("bench: could not remove the cgroup " + group + " (a process still in it?)");
        }
    }
}
