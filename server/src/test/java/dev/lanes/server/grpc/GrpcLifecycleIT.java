package dev.lanes.server.grpc;

import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.config.ManagementSettings;
import dev.lanes.server.testing.GrpcClient;
import dev.lanes.server.testing.ServerFixture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health follows readiness; runtime failures are INTERNAL/500 and fail only their own batch. */
class GrpcLifecycleIT {
    @TempDir
    Path repository;

    @Test
    void shutdown_healthTurnsNotServingAndInferenceIsUnavailable() throws Exception {
        new TestRepository(repository).model("affine", 1, TestModels.affine());
        try (ServerFixture server = ServerFixture.start(repository, true);
             GrpcClient client = new GrpcClient(server.server().grpcPort())) {
            var health = HealthGrpc.newBlockingStub(client.channel());
            HealthCheckRequest inference = HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build();
            assertEquals(ServingStatus.SERVING, health.check(inference).getStatus());

            server.server().state().startShutdown();

            assertEquals(ServingStatus.NOT_SERVING, health.check(inference).getStatus());
            assertEquals(ServingStatus.NOT_SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> client.blocking().modelInfer(
                    GrpcClient.rawRequest("affine", "x", "FP32", new long[]{1, 4}, new byte[16]).build()));
            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        }
    }

    /**
     * Issue 12 item 5: health was set at start and on drain only, so a model repaired on disk and
     * reloaded by the poller left gRPC health NOT_SERVING while REST readiness said 200.
     */
    @Test
    void repositoryChange_readinessFollows_healthFollowsWithoutARestart() throws Exception {
        TestRepository files = new TestRepository(repository).model("affine", 1, TestModels.affine())
                .corrupt("fragile", 1);
        ManagementSettings poll = new ManagementSettings(ManagementSettings.ControlMode.POLL, List.of(),
                Duration.ofMillis(200), Optional.empty(), false);
        try (ServerFixture server = ServerFixture.start(repository, true, poll);
             GrpcClient client = new GrpcClient(server.server().grpcPort())) {
            var health = HealthGrpc.newBlockingStub(client.channel());
            HealthCheckRequest inference = HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build();
            assertEquals(ServingStatus.NOT_SERVING, health.check(inference).getStatus(), "strict: a model failed");

            files.model("fragile", 1, TestModels.affine()); // repaired; the poller reloads it

            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.get("/v2/health/ready").statusCode() != 200 && System.nanoTime() < giveUp) {
                Thread.sleep(50);
            }
            assertEquals(200, server.get("/v2/health/ready").statusCode(), "REST readiness after the reload");
            assertEquals(ServingStatus.SERVING, health.check(inference).getStatus());
            assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        }
    }

    @Test
    void runtimeFailure_isInternalOverGrpcAnd500OverRest_andLaterRequestsSucceed() throws Exception {
        new TestRepository(repository).model("failing", 1, TestModels.failingAtRunTime());
        try (ServerFixture server = ServerFixture.start(repository, true);
             GrpcClient client = new GrpcClient(server.server().grpcPort())) {
            StatusRuntimeException failure = assertThrows(StatusRuntimeException.class, () -> client.blocking().modelInfer(
                    GrpcClient.rawRequest("failing", "x", "FP32", new long[]{1, 4}, new byte[16]).build()));
            assertEquals(Status.Code.INTERNAL, failure.getStatus().getCode());
            assertTrue(failure.getStatus().getDescription().contains("failing"), failure.getStatus().toString());

            HttpResponse<String> rest = server.post("/v2/models/failing/infer",
                    "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8]}]}");
            assertEquals(500, rest.statusCode(), rest.body());
            assertTrue(ServerFixture.json(rest.body()).get("error").asText().contains("ONNX Runtime failed"));

            HttpResponse<String> fine = server.post("/v2/models/failing/infer",
                    "{\"inputs\":[{\"name\":\"x\",\"shape\":[3,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8,9,10,11,12]}]}");
            assertEquals(200, fine.statusCode(), fine.body());
            assertEquals("[3,4]", ServerFixture.json(fine.body()).get("outputs").get(0).get("shape").toString());
            assertEquals(1.0, server.metric(
                    "inference_requests_total{model=\"failing\",outcome=\"runtime_failure\",protocol=\"grpc\"}"));
        }
    }
}
