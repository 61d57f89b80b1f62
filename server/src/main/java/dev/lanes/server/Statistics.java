package dev.lanes.server;

import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.repository.Model;
import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.runtime.stats.VersionStatistics;
import dev.lanes.server.grpc.proto.InferBatchStatistics;
import dev.lanes.server.grpc.proto.InferStatistics;
import dev.lanes.server.grpc.proto.ModelStatistics;
import dev.lanes.server.grpc.proto.ModelStatisticsResponse;
import dev.lanes.server.grpc.proto.StatisticDuration;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Triton's statistics extension: the per-version statistics of the runtime in Triton's messages,
 * for REST and gRPC alike. An empty name means every model, an empty version every served version.
 */
public final class Statistics {
    private final ModelRepository repository;

    public Statistics(ModelRepository repository) {
        this.repository = repository;
    }

    public ModelStatisticsResponse of(String name, String version) {
        List<ModelVersion> versions = new ArrayList<>();
        if (name == null || name.isEmpty()) {
            for (Model model : repository.models()) {
                versions.addAll(model.readyVersions());
            }
        } else {
            Model model = repository.model(name).orElseThrow(() -> InferenceException.unknownModel(name));
            OptionalLong wanted = InferenceService.parseVersion(version);
            if (wanted.isPresent()) {
                versions.add(repository.resolve(name, wanted));
            } else {
                versions.addAll(model.readyVersions());
            }
        }
        ModelStatisticsResponse.Builder response = ModelStatisticsResponse.newBuilder();
        for (ModelVersion served : versions) {
            response.addModelStats(of(served));
        }
        return response.build();
    }

    private static ModelStatistics of(ModelVersion version) {
        VersionStatistics stats = version.statistics();
        ModelStatistics.Builder model = ModelStatistics.newBuilder()
                .setName(version.model())
                .setVersion(Long.toString(version.version()))
                .setLastInference(stats.lastInferenceMillis())
                .setInferenceCount(stats.inferenceCount())
                .setExecutionCount(stats.executionCount())
                .setInferenceStats(InferStatistics.newBuilder()
                        .setSuccess(duration(stats.success()))
                        .setFail(duration(stats.fail()))
                        .setQueue(duration(stats.queue()))
                        .setComputeInput(duration(stats.computeInput()))
                        .setComputeInfer(duration(stats.computeInfer()))
                        .setComputeOutput(duration(stats.computeOutput()))
                        .setCacheHit(duration(stats.cacheHits()))
                        .setCacheMiss(duration(stats.cacheMisses()))
                        .setComputeCpu(duration(stats.computeCpu())));
        stats.batchSizes().forEach((rows, size) -> model.addBatchStats(InferBatchStatistics.newBuilder()
                .setBatchSize(rows)
                .setComputeInput(duration(size.input()))
                .setComputeInfer(duration(size.infer()))
                .setComputeOutput(duration(size.output()))
                .setComputeCpu(duration(size.cpu()))));
        return model.build();
    }

    private static StatisticDuration duration(VersionStatistics.Duration duration) {
        return StatisticDuration.newBuilder().setCount(duration.count()).setNs(duration.nanos()).build();
    }
}
