package dev.lanes.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.NodeProcess;
import dev.lanes.server.testing.ServerFixture;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lanes.log.format=json} and {@code lanes.log.access=true} on a real node: every line it
 * prints is one JSON object, requests carry ids from {@code X-Request-Id} (or new ones) into the
 * response and the access log, and the drain's start and end are logged to the last line.
 */
class LogFormatIT {
    private static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id",
            Metadata.ASCII_STRING_MARSHALLER);

    @Test
    void jsonLogs_accessLinesAndRequestIds_throughTheDrain() throws Exception {
        NodeProcess node = NodeProcess.start("--set", "lanes.log.format=json", "--set", "lanes.log.access=true",
                "--set", "lanes.server.drain-grace=PT0.2S");
        List<String> lines = new ArrayList<>();
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> named = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + node.port() + "/v2/models/affine/infer"))
                    .header("X-Request-Id", "order-42.a")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, named.statusCode());
            assertEquals("order-42.a", named.headers().firstValue("X-Request-Id").orElseThrow(), "echoed");
            HttpResponse<String> forged = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.port() + "/v2/health/ready"))
                    .header("X-Request-Id", "x\"} {\"level\":\"SEVERE").build(), HttpResponse.BodyHandlers.ofString());
            String generated = forged.headers().firstValue("X-Request-Id").orElseThrow();
            assertTrue(generated.matches("[0-9a-f]{16}"), "an unsafe id is replaced: " + generated);

            AtomicReference<Metadata> grpcHeaders = new AtomicReference<>();
            try (GrpcClient grpc = new GrpcClient(node.grpcPort())) {
                Metadata outgoing = new Metadata();
                outgoing.put(REQUEST_ID, "grpc-7");
                ModelInferRequest request = GrpcClient.rawRequest("affine", "x", "FP32", new long[]{1, 4},
                        GrpcClient.floatBytes(1, 2, 3, 4)).build();
                grpc.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(outgoing),
                        MetadataUtils.newCaptureMetadataInterceptor(grpcHeaders, new AtomicReference<>()))
                        .modelInfer(request);
            }
            assertEquals("grpc-7", grpcHeaders.get().get(REQUEST_ID), "gRPC echoes the id in its headers");
        } finally {
            assertTrue(node.stop(), "the node stops on SIGTERM");
        }
        assertTrue(node.awaitOutput("drain finished", 10), node.laterOutput());
        (node.startupOutput() + node.laterOutput()).lines().filter(line -> !line.isBlank()).forEach(lines::add);

        List<JsonNode> records = new ArrayList<>();
        for (String line : lines) {
            JsonNode record = ServerFixture.json(line); // throws on any line that is not one JSON object
            assertTrue(record.isObject(), line);
            for (String field : List.of("time", "level", "logger", "message")) {
                assertTrue(record.hasNonNull(field), field + " in " + line);
            }
            records.add(record);
        }
        JsonNode rest = access(records, "order-42.a");
        assertEquals("rest", rest.path("protocol").asText());
        assertEquals("POST", rest.path("method").asText());
        assertEquals("/v2/models/affine/infer", rest.path("path").asText());
        assertEquals("200", rest.path("status").asText());
        assertEquals("affine", rest.path("model").asText());
        assertTrue(rest.path("bytes").asLong() > 0 && rest.path("duration_ms").asDouble() > 0, rest.toString());
        assertEquals("/v2/health/ready", access(records, null).path("path").asText());
        JsonNode grpc = access(records, "grpc-7");
        assertEquals("grpc", grpc.path("protocol").asText());
        assertEquals("inference.GRPCInferenceService/ModelInfer", grpc.path("path").asText());
        assertEquals("OK", grpc.path("status").asText());
        assertEquals("affine", grpc.path("model").asText());
        assertFalse(records.stream().anyMatch(r -> r.path("level").asText().equals("SEVERE")), "no forged records");
        // a clean start, three requests and a drain have nothing to warn of (gRPC's health service
        // once warned "Already terminating" with a stack trace on every drain)
        assertEquals(List.of(), records.stream().filter(r -> r.path("level").asText().equals("WARNING"))
                .map(JsonNode::toString).toList());
        assertTrue(records.stream().anyMatch(r -> r.path("message").asText().startsWith("drain started")), lines.toString());
        assertTrue(records.stream().anyMatch(r -> r.path("message").asText().startsWith("drain finished")), lines.toString());
    }

    /** The access record of {@code requestId}, or with a generated id when null. */
    private static JsonNode access(List<JsonNode> records, String requestId) {
        return records.stream().filter(r -> r.path("logger").asText().equals("lanes.access"))
                .filter(r -> requestId == null ? r.path("request_id").asText().matches("[0-9a-f]{16}")
                        : r.path("request_id").asText().equals(requestId))
                .findFirst().orElseThrow(() -> new AssertionError("no access line for " + requestId));
    }
}
