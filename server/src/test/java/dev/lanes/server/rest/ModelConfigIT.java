package dev.lanes.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lanes.runtime.config.proto.DataType;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.config.proto.ModelInstanceGroup;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.grpc.proto.ModelConfigRequest;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.LanesNode;
import dev.lanes.server.testing.ServerFixture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Triton's model configuration extension over REST and gRPC: the effective configuration. */
class ModelConfigIT {
    @RegisterExtension
    static final LanesNode node = LanesNode.withRepository(dir -> new TestRepository(dir)
                    .model("affine", 1, TestModels.affine()).config("affine", TestModels.DEMO_AFFINE_CONFIG)
                    .model("mixed", 1, TestModels.mixed()))
            .start(dir -> ServerFixture.start(dir, true));
    static GrpcClient grpc;

    private static ServerFixture server() {
        return node.server();
    }

    @BeforeAll
    static void start() throws Exception {
        grpc = new GrpcClient(server().server().grpcPort());
    }

    @AfterAll
    static void stop() throws Exception {
        grpc.close();
    }

    @Test
    void rest_configuredModel_showsItsConfigInTritonsJsonForm() throws Exception {
        var response = server().get("/v2/models/affine/config");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode config = ServerFixture.json(response.body());
        assertEquals("affine", config.get("name").asText());
        assertEquals("onnxruntime_onnx", config.get("platform").asText());
        assertEquals(8, config.get("max_batch_size").asInt());
        assertEquals("{\"name\":\"x\",\"data_type\":\"TYPE_FP32\",\"dims\":[4]}", config.get("input").get(0).toString());
        assertEquals("[4,8]", config.get("dynamic_batching").get("preferred_batch_size").toString());
        assertTrue(config.get("dynamic_batching").get("max_queue_delay_microseconds").isNumber(),
                "64-bit integers are JSON numbers, as Triton writes them");
        assertEquals(500, config.get("dynamic_batching").get("max_queue_delay_microseconds").asLong());
        assertEquals(256, config.get("dynamic_batching").get("default_queue_policy").get("max_queue_size").asInt());
        assertEquals(2, config.get("instance_group").get(0).get("count").asInt());
        assertEquals("KIND_CPU", config.get("instance_group").get(0).get("kind").asText());
        assertEquals("1", config.get("parameters").get("intra_op_thread_count").get("string_value").asText());
        assertTrue(config.get("response_cache").get("enable").asBoolean());
        assertEquals(200, server().get("/v2/models/affine/versions/1/config").statusCode());
    }

    @Test
    void rest_unconfiguredModel_showsTheDefaultsLanesFilledIn() throws Exception {
        JsonNode config = ServerFixture.json(server().get("/v2/models/mixed/config").body());
        assertEquals(8, config.get("max_batch_size").asInt(), "batching: every dim 0 is dynamic");
        assertEquals("[3]", config.get("input").get(0).get("dims").toString());
        assertEquals("TYPE_BOOL", config.get("output").get(2).get("data_type").asText());
        assertEquals(1024, config.get("dynamic_batching").get("default_queue_policy").get("max_queue_size").asInt());
        assertEquals(1, config.get("instance_group").get(0).get("count").asInt());
        assertEquals(1, config.get("version_policy").get("latest").get("num_versions").asInt());
        assertEquals("model.onnx", config.get("default_model_filename").asText());
    }

    @Test
    void rest_unknownModelOrVersion_is404() throws Exception {
        assertEquals(404, server().get("/v2/models/nope/config").statusCode());
        assertEquals(404, server().get("/v2/models/affine/versions/9/config").statusCode());
        assertTrue(ServerFixture.json(server().get("/v2").body()).get("extensions").toString().contains("model_configuration"));
    }

    @Test
    void grpc_modelConfig_returnsTheSameEffectiveConfig() {
        ModelConfig config = grpc.blocking().modelConfig(ModelConfigRequest.newBuilder().setName("affine").build()).getConfig();
        assertEquals("affine", config.getName());
        assertEquals(8, config.getMaxBatchSize());
        assertEquals(DataType.TYPE_FP32, config.getInput(0).getDataType());
        assertEquals(List.of(4L), config.getInput(0).getDimsList());
        assertEquals(List.of(4, 8), config.getDynamicBatching().getPreferredBatchSizeList());
        assertEquals(ModelInstanceGroup.Kind.KIND_CPU, config.getInstanceGroup(0).getKind());
        assertEquals(2, config.getInstanceGroup(0).getCount());
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> grpc.blocking()
                .modelConfig(ModelConfigRequest.newBuilder().setName("nope").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    }
}
