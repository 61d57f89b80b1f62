package dev.lanes.benchmarks.scalesim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the simulation saw, second by second, and its CSV form. */
final class Timeline {
    record Second(int t, double offered, long ok, long rejected, long failed, double p99Millis,
                  int desired, int ready, double queueAverage, double queueMax) {
    }

    private final List<Second> seconds = new ArrayList<>();

    void add(Second second) {
        seconds.add(second);
    }

    List<Second> seconds() {
        return List.copyOf(seconds);
    }

    void writeCsv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder(
                "second,offered_rps,ok,rejected,failed,p99_ms,replicas_desired,replicas_ready,queue_avg,queue_max\n");
        for (Second s : seconds) {
            csv.append(String.format(Locale.ROOT, "%d,%.1f,%d,%d,%d,%.2f,%d,%d,%.2f,%.2f%n", s.t(), s.offered(), s.ok(),
                    s.rejected(), s.failed(), s.p99Millis(), s.desired(), s.ready(), s.queueAverage(), s.queueMax()));
        }
        Files.writeString(file, csv);
    }
}
