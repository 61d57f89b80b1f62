package dev.lanes.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command and its curl example, exactly as written there. */
class LauncherIT {
    private static final Pattern LISTENING = Pattern.compile("Lanes listening on [^:]+:(\\d+)");

    @Test
    void binLanesServe_servesTheDemoRepositoryAndAnswersTheReadmeCurl() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher curl = Pattern.compile("-d '(\\{.*?\\})'\\n# (\\{.*?\\})\\n").matcher(readme);
        assertTrue(curl.find(), "README shows a curl inference and its answer");

        Process process = new ProcessBuilder(Path.of("..", "bin", "lanes").toString(), "serve", "--port", "0",
                "--host", "127.0.0.1").redirectErrorStream(true).start();
        try {
            int port = awaitPort(process);
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/affine/infer"))
                            .POST(HttpRequest.BodyPublishers.ofString(curl.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals(curl.group(2), response.body());
        } finally {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the node stops on SIGTERM");
        }
    }

    @Test
    void binLanesHelp_listsTheCommands() throws Exception {
        Process process = new ProcessBuilder(Path.of("..", "bin", "lanes").toString(), "help")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor());
        assertTrue(output.contains("serve") && output.contains("test"), output);
    }

    private static int awaitPort(Process process) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = lines.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.find()) {
                Thread.ofVirtual().start(() -> lines.lines().forEach(ignored -> { })); // keep the pipe drained
                return Integer.parseInt(matcher.group(1));
            }
        }
        throw new AssertionError("bin/lanes serve exited before listening:\n" + seen);
    }
}
