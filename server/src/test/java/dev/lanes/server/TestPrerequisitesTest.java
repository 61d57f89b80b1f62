package dev.lanes.server;

import dev.lanes.server.testing.ChildCommand;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/test-prerequisites is the one list of what the suite needs beyond a JDK: .ci/run installs
 * nothing else itself and runs the README's command, every external program a test or benchmark
 * starts is on the list, and the list is satisfied where the suite runs.
 */
class TestPrerequisitesTest {
    private static final Path ROOT = Path.of("..");
    /** The program of a command line built in Java: {@code new ArrayList<>(List.of("haproxy", ...))} and the like. */
    private static final Pattern STARTED = Pattern.compile(
            "(?:ChildCommand\\.run\\(|ProcessBuilder\\(|command = |ArrayList<>\\()List\\.of\\(\"(?:/usr/bin/)?([a-z][a-z0-9-]*)\"");
    /** Present wherever the repository is: the shell that runs everything, and git, which cloned it. */
    private static final Set<String> ALWAYS_THERE = Set.of("bash", "git");

    private static List<String> entries() throws IOException {
        return Files.readAllLines(ROOT.resolve("bin/test-prerequisites")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    }

    @Test
    void ciRun_installsOnlyTheJdk_andRunsTheReadmesTestCommand() throws Exception {
        List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run")).stream()
                .filter(line -> !line.trim().startsWith("#") && !line.isBlank()).toList();
        assertEquals("bin/lanes test", ci.get(ci.size() - 1).trim());
        assertTrue(Files.readString(ROOT.resolve("README.md")).contains("bin/lanes test "), "the README's command");
        for (String line : ci) {
            if (line.contains("apt-get install")) {
                assertTrue(line.trim().endsWith("default-jdk-headless"), ".ci/run installs only a JDK: " + line);
            }
        }
    }

    @Test
    void everyProgramTheCodeStarts_isOnTheList() throws Exception {
        String checks = String.join("\n", entries());
        Set<String> started = new TreeSet<>();
        for (String module : List.of("server", "benchmarks", "cache", "model-runtime", "autoscale-signals")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher matcher = STARTED.matcher(Files.readString(file));
                    while (matcher.find()) {
                        started.add(matcher.group(1));
                    }
                }
            }
        }
        started.removeAll(ALWAYS_THERE);
        assertTrue(started.containsAll(Set.of("redis-server", "prometheus", "haproxy", "npm", "node", "curl")),
                "the scan finds the programs it should: " + started);
        for (String program : started) {
            assertTrue(Pattern.compile("\\b" + Pattern.quote(program) + "\\b").matcher(checks).find(),
                    program + " is started by the code but not checked in bin/test-prerequisites");
        }
        assertTrue(checks.contains("import grpc"), "the Python client's library");
    }

    @Test
    void theListIsSatisfiedWhereTheSuiteRuns() throws Exception {
        for (String entry : entries()) {
            String[] parts = entry.split("\\s+", 2);
            assertEquals(2, parts.length, "package and check: " + entry);
            assertFalse(parts[0].contains("/"), "a Debian package name first: " + entry);
        }
        ChildCommand.Outcome missing = ChildCommand.run(List.of("bash", "-c",
                "source <(sed -n '/^missing_prerequisites()/,/^}/p' bin/lanes) && LANES_HOME=. missing_prerequisites"),
                ROOT);
        assertTrue(missing.succeeded(), missing.output());
        assertEquals("", missing.output().trim(), "bin/lanes test would install these first");
    }
}
