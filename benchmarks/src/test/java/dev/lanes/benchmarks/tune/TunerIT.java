package dev.lanes.benchmarks.tune;

import dev.lanes.runtime.config.ModelConfigParser;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A two-candidate tune of a small MLP through a real node: both candidates are loaded through the
 * repository API and measured, and the config.pbtxt written is one Lanes parses, carrying the
 * measured winner's settings.
 */
class TunerIT {
    @TempDir
    Path work;

    @Test
    void writesTheFastestCandidateThatMeetsTheObjective() throws Exception {
        new TestRepository(work.resolve("repo")).model("tiny", 1, TestModels.mlp(16, 32, 4, 1));
        Path out = work.resolve("out");
        int status = Tuner.run(new String[]{"--model-dir", work.resolve("repo/tiny").toString(), "--input", "x:1,16",
                "--p99-ms", "1000", "--instances", "1", "--threads", "1", "--max-batch", "1,8", "--queue-delay-us", "0",
                "--concurrency", "1,4", "--window", "0.25", "--out", out.toString(),
                "--server-jar", Path.of("..", "server", "target", "lanes-server.jar").toString()});
        assertEquals(0, status);

        String tune = Files.readString(out.resolve("tune.json"));
        assertTrue(tune.contains("instances=1 threads=1 max_batch=1 delay=0us")
                && tune.contains("instances=1 threads=1 max_batch=8 delay=0us"), "both candidates measured");
        String text = Files.readString(out.resolve("config.pbtxt"));
        var config = ModelConfigParser.parse(text);
        assertEquals("tiny", config.getName());
        assertEquals(1, config.getInstanceGroup(0).getCount());
        assertEquals("1", config.getParametersOrThrow("intra_op_thread_count").getStringValue());
        int chosen = config.getMaxBatchSize();
        assertTrue(List.of(1, 8).contains(chosen));
        assertEquals(chosen > 1, config.hasDynamicBatching());
        assertTrue(text.startsWith("# Written by bin/bench tune"), text);
        // The winner is the candidate with the highest throughput in tune.json.
        double best1 = bestThroughput(tune, "max_batch=1 ");
        double best8 = bestThroughput(tune, "max_batch=8 ");
        assertEquals(best8 > best1 ? 8 : 1, chosen, "best of " + best1 + " and " + best8);
    }

    private static double bestThroughput(String json, String candidate) {
        int at = json.indexOf(candidate);
        int field = json.indexOf("\"best_throughput\": ", at) + "\"best_throughput\": ".length();
        return Double.parseDouble(json.substring(field, json.indexOf(',', field)));
    }

    @Test
    void gridKeepsInstancesTimesThreadsWithinTheCores() {
        List<Candidate> grid = Tuner.grid(List.of(1, 2), List.of(1, 2), List.of(1, 16), List.of(0, 1000), 2);
        assertTrue(grid.stream().allMatch(c -> c.instances() * c.intraOpThreads() <= 2));
        // (1,1) (1,2) (2,1), each with batch 1 once and batch 16 with two delays
        assertEquals(9, grid.size());
    }
}
