package dev.lanes.benchmarks.scalesim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real haproxy in front of the nodes. {@link #route} writes a new configuration and reloads
 * without dropping connections: a new haproxy binds the port and tells the old one (-sf) to stop
 * listening and finish its connections. Nodes are checked on /v2/health/ready, so a draining node
 * leaves rotation within half a second even before its removal.
 */
final class HaproxyBalancer implements AutoCloseable {
    private final Path directory;
    private final int port;
    private final List<Process> processes = new ArrayList<>();

    HaproxyBalancer(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    int port() {
        return port;
    }

    void route(List<Integer> backends) throws IOException, InterruptedException {
        StringBuilder config = new StringBuilder("""
                global
                  maxconn 8192
                defaults
                  mode http
                  timeout connect 2s
                  timeout client 120s
                  timeout server 120s
                  option http-keep-alive
                frontend lanes
                  bind 127.0.0.1:%d
                  default_backend nodes
                backend nodes
                  balance leastconn
                  option httpchk
                  http-check send meth GET uri /v2/health/ready ver HTTP/1.1 hdr Host localhost
                  http-check expect status 200
                  default-server inter 500ms fall 1 rise 1
                """.formatted(port));
        for (int backend : backends) {
            config.append("  server node").append(backend).append(" 127.0.0.1:").append(backend).append(" check\n");
        }
        Path file = Files.writeString(directory.resolve("haproxy.cfg"), config);
        List<String> command = new ArrayList<>(List.of("haproxy", "-db", "-f", file.toString()));
        Process previous = processes.isEmpty() ? null : processes.get(processes.size() - 1);
        if (previous != null && previous.isAlive()) {
            command.add("-sf");
            command.add(Long.toString(previous.pid()));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("haproxy.log").toFile())).start();
        processes.add(process);
        if (process.waitFor(300, TimeUnit.MILLISECONDS)) {
            throw new IOException("haproxy exited at once (exit " + process.exitValue() + "); see "
                    + directory.resolve("haproxy.log"));
        }
        processes.removeIf(p -> !p.isAlive());
    }

    @Override
    public void close() {
        processes.forEach(Process::destroy);
    }
}
