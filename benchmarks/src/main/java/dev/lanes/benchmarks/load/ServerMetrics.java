package dev.lanes.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * One scrape of a node's {@code /metrics} (Prometheus text format), read for the sums the
 * generator cross-checks and the scenarios use: requests by outcome, batch sizes, compute and
 * queue time, each for one model.
 */
public record ServerMetrics(String text) {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The scrape, or empty where the server has no /metrics (the echo route). */
    public static Optional<ServerMetrics> scrape(String baseUrl) {
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(new ServerMetrics(response.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** {@code inference_requests_total} for the model, summed over protocols, with outcome success. */
    public double successes(String model) {
        return sum("inference_requests_total", model, "outcome=\"success\"", true);
    }

    /** {@code inference_requests_total} for the model with any outcome but success. */
    public double failures(String model) {
        return sum("inference_requests_total", model, "outcome=\"success\"", false);
    }

    public double batchRows(String model) {
        return sum("inference_batch_size_sum", model, null, true);
    }

    public double batches(String model) {
        return sum("inference_batch_size_count", model, null, true);
    }

    public double computeSeconds(String model) {
        return sum("inference_compute_duration_seconds_sum", model, null, true);
    }

    public double queueSeconds(String model) {
        return sum("inference_queue_duration_seconds_sum", model, null, true);
    }

    public double queued(String model) {
        return sum("inference_queue_duration_seconds_count", model, null, true);
    }

    /**
     * Sums samples of {@code name} whose labels include {@code model="..."} and, when
     * {@code label} is given, do ({@code present}) or do not contain it.
     */
    double sum(String name, String model, String label, boolean present) {
        String modelLabel = "model=\"" + model + "\"";
        double total = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            int close = line.lastIndexOf('}');
            String labels = line.substring(name.length() + 1, close);
            if (!(labels.startsWith(modelLabel) || labels.contains("," + modelLabel))) {
                continue;
            }
            if (label != null && labels.contains(label) != present) {
                continue;
            }
            total += Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]);
        }
        return total;
    }
}
