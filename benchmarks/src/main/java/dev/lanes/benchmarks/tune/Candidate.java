package dev.lanes.benchmarks.tune;

import java.util.Locale;

/**
 * One point of the tuning grid: Triton's knobs that decide throughput and latency on CPU.
 *
 * @param instances         instance_group count (KIND_CPU)
 * @param intraOpThreads    ONNX Runtime intra-op threads per instance
 * @param maxBatchSize      max_batch_size; 1 runs every request alone
 * @param queueDelayMicros  dynamic_batching max_queue_delay_microseconds; ignored when maxBatchSize is 1
 */
record Candidate(int instances, int intraOpThreads, int maxBatchSize, int queueDelayMicros) {
    boolean batching() {
        return maxBatchSize > 1;
    }

    /** The override for Triton's repository load API: ModelConfig in protobuf's JSON mapping. */
    String configJson(String name, int maxQueueSize) {
        StringBuilder json = new StringBuilder("{\"name\":\"").append(name).append("\",\"platform\":\"onnxruntime_onnx\"")
                .append(",\"max_batch_size\":").append(maxBatchSize);
        if (batching()) {
            json.append(",\"dynamic_batching\":{\"max_queue_delay_microseconds\":").append(queueDelayMicros)
                    .append(",\"default_queue_policy\":{\"max_queue_size\":").append(maxQueueSize).append("}}");
        }
        return json.append(",\"instance_group\":[{\"count\":").append(instances).append(",\"kind\":\"KIND_CPU\"}]")
                .append(",\"parameters\":{\"intra_op_thread_count\":{\"string_value\":\"").append(intraOpThreads)
                .append("\"}}}").toString();
    }

    /** The same configuration as config.pbtxt text. */
    String configText(String name, int maxQueueSize) {
        StringBuilder text = new StringBuilder("name: \"").append(name).append("\"\nplatform: \"onnxruntime_onnx\"\n")
                .append("max_batch_size: ").append(maxBatchSize).append('\n');
        if (batching()) {
            text.append("dynamic_batching {\n  max_queue_delay_microseconds: ").append(queueDelayMicros)
                    .append("\n  default_queue_policy { max_queue_size: ").append(maxQueueSize).append(" }\n}\n");
        }
        return text.append("instance_group [ { count: ").append(instances).append(" kind: KIND_CPU } ]\n")
                .append("parameters { key: \"intra_op_thread_count\" value: { string_value: \"").append(intraOpThreads)
                .append("\" } }\n").toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "instances=%d threads=%d max_batch=%d delay=%dus", instances, intraOpThreads,
                maxBatchSize, batching() ? queueDelayMicros : 0);
    }
}
