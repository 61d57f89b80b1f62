package dev.lanes.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.OptionalLong;

/** CPU time used by this process or another one, to show who took the shared cores. */
final class CpuClock {
    private final OptionalLong serverPid;
    private final long startNanos;
    private final long startSelf;
    private final long startServer;

    private CpuClock(OptionalLong serverPid) {
        this.serverPid = serverPid;
        this.startNanos = System.nanoTime();
        this.startSelf = selfCpuNanos();
        this.startServer = processCpuNanos(serverPid);
    }

    static CpuClock start(OptionalLong serverPid) {
        return new CpuClock(serverPid);
    }

    double selfCores() {
        return (selfCpuNanos() - startSelf) / (double) (System.nanoTime() - startNanos);
    }

    double serverCores() {
        long now = processCpuNanos(serverPid);
        return now < 0 || startServer < 0 ? Double.NaN : (now - startServer) / (double) (System.nanoTime() - startNanos);
    }

    private static long selfCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long processCpuNanos(OptionalLong pid) {
        if (pid.isEmpty()) {
            return -1;
        }
        return ProcessHandle.of(pid.getAsLong()).flatMap(handle -> handle.info().totalCpuDuration())
                .map(Duration::toNanos).orElse(-1L);
    }
}
