package dev.lanes.benchmarks.scalesim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scaling loop, shortened: real nodes behind a real haproxy under a ramp to three times one
 * node's capacity. Replicas must rise, the queue must return under target at the plateau, and
 * draining on the way down must fail no request.
 */
class ScaleSimIT {
    @TempDir
    Path out;

    @Test
    void rampToThreeTimesOneNode_scalesOutAndDrainsWithoutFailures() throws Exception {
        boolean accepted = ScaleSim.run(Map.of(
                "out", out.toString(),
                "lanes", Path.of("..", "bin", "lanes").toAbsolutePath().normalize().toString(),
                                // The plateau must outlast a new node's start on its 0.25 CPU (12-18 s to ready on
                // this machine) plus draining the backlog built meanwhile; 40 s did not always.
                "ramp-up", "20", "plateau", "60", "ramp-down", "20", "tail", "40"));
        List<String> csv = Files.readAllLines(out.resolve("timeline.csv"));
        assertTrue(csv.size() > 100, "a line per second");
        assertTrue(Files.size(out.resolve("timeline.png")) > 10_000, "a plot");
        assertTrue(accepted, "acceptance: see the timeline in " + out);
        String groups = "lanes-scale-sim-" + ProcessHandle.current().pid() + "-";
        try (var left = Files.list(Path.of("/sys/fs/cgroup/cpu"))) {
            List<Path> kept = left.filter(g -> g.getFileName().toString().startsWith(groups)).toList();
            assertTrue(kept.isEmpty(), "each node's cgroup is removed once it has exited: " + kept);
        }
    }
}
