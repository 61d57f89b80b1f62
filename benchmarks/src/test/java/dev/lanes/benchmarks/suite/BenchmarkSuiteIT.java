package dev.lanes.benchmarks.suite;

import dev.lanes.benchmarks.load.CpuSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scenario suite end to end at the quick pace on the project's own MLP (scenarios 3 and 4):
 * an echo process and a Lanes process start, every measurement lands in results.json and the
 * report, the plots are drawn, and the report replaces only its own section of the docs file.
 * Verdicts are not asserted: at this pace they mean nothing.
 */
class BenchmarkSuiteIT {
    @TempDir
    Path out;

    @Test
    void quickRun_measuresJudgesAndWritesTheReport() throws Exception {
        Path docs = out.resolve("benchmarks.md");
        Files.writeString(docs, "# Benchmarks\n\nHand-written analysis.\n\n" + Report.START + "\nold\n" + Report.END
                + "\n\n## Cache\n\nKept.\n");
        System.setProperty("lanes.bench.classpath", "target/lanes-benchmarks.jar:target/libs/*");
        BenchmarkSuite suite = new BenchmarkSuite(Map.of("quick", "true", "scenarios", "3,4",
                "out", out.resolve("run").toString(), "docs", docs.toString(),
                "server-jar", Path.of("..", "server", "target", "lanes-server.jar").toString(),
                "models", out.resolve("no-models").toString()), "test");
        List<Integer> allowedBefore = CpuSplit.allowedCpus();
        suite.run();
        assertEquals(allowedBefore, CpuSplit.allowedCpus(), "the generator's pinning is undone");

        String results = Files.readString(out.resolve("run/results.json"));
        for (int c : BenchmarkSuite.MLP_SWEEP) {
            assertTrue(results.contains("\"echo rest-binary mlp c=" + c + "\""), "echo level " + c);
            assertTrue(results.contains("\"lanes rest-binary mlp c=" + c + "\""), "lanes level " + c);
        }
        assertTrue(results.contains("\"lanes rest-binary mlp_nobatch c=64\""));
        assertTrue(results.contains("\"raw-ort mlp c=2\""));
        assertTrue(results.contains("\"raw-ort mlp batch=" + BenchmarkSuite.MLP_RAW_BATCH + " c=2\""),
                "raw ORT at the batch size the batched ceiling uses");
        assertEquals(4, suite.goals().size(), "two verdicts each for scenarios 3 and 4: " + suite.goals());
        assertTrue(suite.goals().stream().allMatch(g -> g.met() != null));
        assertTrue(results.contains("\"agrees\": true") && !results.contains("\"agrees\": false"),
                "every Lanes level agrees with /metrics");

        CpuSplit cpus = suite.cpus();
        if (allowedBefore.size() >= 2) {
            assertTrue(cpus.split(), "two CPUs or more (and taskset): split by default");
            assertTrue(results.contains("split with taskset"), "the report states the split");
            List<Integer> measured = CpuSplit.parse(cpus.measured());
            assertTrue(java.util.Collections.disjoint(measured, CpuSplit.parse(cpus.generator())));
            Matcher raw = Pattern.compile("raw-ort .* on CPUs (\\S+)").matcher(Files.readString(out.resolve("run/raw-ort.log")));
            assertTrue(raw.find(), "the raw baseline says where it ran");
            assertEquals(measured, CpuSplit.parse(raw.group(1)), "raw ONNX Runtime on the node's CPUs");
            assertTrue(Files.readString(out.resolve("run/lanes.log")).contains("the JVM sees " + measured.size() + ")"),
                    "the node's JVM sees only the measured CPUs");
        }

        String markdown = Files.readString(docs);
        assertTrue(markdown.startsWith("# Benchmarks\n\nHand-written analysis.\n\n" + Report.START));
        assertTrue(markdown.endsWith(Report.END + "\n\n## Cache\n\nKept.\n"), "text after the section is kept");
        assertTrue(!markdown.contains("\nold\n") && markdown.contains("| 3 | MLP batched c=64 ÷ its ceiling"));
        for (String plot : new String[]{Plots.THROUGHPUT, Plots.LATENCY}) {
            String svg = Files.readString(out.resolve(Report.PLOTS_DIR).resolve(plot));
            assertTrue(svg.startsWith("<svg") && svg.trim().endsWith("</svg>"), plot);
        }
        assertTrue(Files.readString(out.resolve(Report.PLOTS_DIR).resolve(Plots.THROUGHPUT)).contains("<polyline"),
                "the sweep is drawn");
    }
}
