package dev.lanes.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.testing.ServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthMetadataIT {
    @TempDir
    Path repository;

    @Test
    void healthAndMetadata_describeServerAndModels() throws Exception {
        new TestRepository(repository).model("mixed", 3, TestModels.mixed());
        try (ServerFixture server = ServerFixture.start(repository, true)) {
            assertEquals(200, server.get("/v2/health/live").statusCode());
            assertEquals(200, server.get("/v2/health/ready").statusCode());

            JsonNode metadata = ServerFixture.json(server.get("/v2").body());
            assertEquals("lanes", metadata.get("name").asText());
            assertTrue(metadata.get("extensions").toString().contains("binary_tensor_data"));

            HttpResponse<String> model = server.get("/v2/models/mixed");
            assertEquals(200, model.statusCode());
            JsonNode body = ServerFixture.json(model.body());
            assertEquals("[\"3\"]", body.get("versions").toString());
            assertEquals("onnxruntime_onnx", body.get("platform").asText());
            assertEquals("{\"name\":\"a\",\"datatype\":\"INT32\",\"shape\":[-1,3]}", body.get("inputs").get(0).toString());
            assertEquals("{\"name\":\"positive\",\"datatype\":\"BOOL\",\"shape\":[-1,3]}", body.get("outputs").get(2).toString());
            assertEquals("CPU", body.get("parameters").get("execution_provider").asText());

            assertEquals(200, server.get("/v2/models/mixed/versions/3").statusCode());
            assertEquals(404, server.get("/v2/models/mixed/versions/4").statusCode());
            assertEquals(200, server.get("/v2/models/mixed/ready").statusCode());
            assertEquals(200, server.get("/v2/models/mixed/versions/3/ready").statusCode());
            assertEquals(404, server.get("/v2/models/other/ready").statusCode());

            JsonNode index = ServerFixture.json(server.post("/v2/repository/index", "{}").body());
            assertEquals("[{\"name\":\"mixed\",\"version\":\"3\",\"state\":\"READY\",\"reason\":\"\","
                    + "\"parameters\":{\"execution_provider\":\"CPU\"}}]", index.toString());
        }
    }

    @Test
    void strictReadiness_oneBrokenModel_makesTheNodeNotReady() throws Exception {
        new TestRepository(repository).model("mixed", 1, TestModels.mixed()).corrupt("broken", 1);
        try (ServerFixture server = ServerFixture.start(repository, true)) {
            HttpResponse<String> ready = server.get("/v2/health/ready");
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("not ready"));
            assertEquals(200, server.get("/v2/health/live").statusCode());
            assertEquals(200, server.get("/v2/models/mixed/ready").statusCode());
        }
    }

    @Test
    void shutdown_readinessTurns503AndInferenceIsRefused() throws Exception {
        new TestRepository(repository).model("mixed", 1, TestModels.mixed());
        try (ServerFixture server = ServerFixture.start(repository, true)) {
            server.server().state().startShutdown();
            assertEquals(503, server.get("/v2/health/ready").statusCode());
            HttpResponse<String> infer = server.post("/v2/models/mixed/infer", "{}");
            assertEquals(503, infer.statusCode());
            assertEquals("1", infer.headers().firstValue("Retry-After").orElseThrow());
        }
    }
}
