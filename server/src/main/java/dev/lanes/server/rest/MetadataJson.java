package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.lanes.runtime.model.ModelSignature;
import dev.lanes.runtime.model.TensorSpec;
import dev.lanes.runtime.repository.IndexEntry;
import dev.lanes.runtime.repository.Model;
import dev.lanes.runtime.repository.ModelVersion;

import java.io.IOException;
import java.util.List;

/** The V2 metadata documents and Triton's repository index, as JSON. */
final class MetadataJson {
    static final String PLATFORM = "onnxruntime_onnx";

    private MetadataJson() {
    }

    static byte[] server(String name, String version, List<String> extensions) {
        return JsonResponses.json(json -> {
            json.writeStartObject();
            json.writeStringField("name", name);
            json.writeStringField("version", version);
            json.writeArrayFieldStart("extensions");
            for (String extension : extensions) {
                json.writeString(extension);
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** Lanes' additions (the execution provider) go into {@code parameters}, as the protocol allows. */
    static byte[] model(Model model, ModelVersion version) {
        ModelSignature signature = version.signature();
        return JsonResponses.json(json -> {
            json.writeStartObject();
            json.writeStringField("name", model.name());
            json.writeArrayFieldStart("versions");
            for (ModelVersion ready : model.readyVersions()) {
                json.writeString(Long.toString(ready.version()));
            }
            json.writeEndArray();
            json.writeStringField("platform", PLATFORM);
            json.writeArrayFieldStart("inputs");
            for (TensorSpec spec : signature.inputs()) {
                tensor(json, spec, signature);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("outputs");
            for (TensorSpec spec : signature.outputs()) {
                tensor(json, spec, signature);
            }
            json.writeEndArray();
            json.writeObjectFieldStart("parameters");
            json.writeStringField("execution_provider", version.provider().name());
            json.writeNumberField("instance_count", version.instanceCount());
            json.writeNumberField("max_batch_size", signature.maxBatchSize());
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    private static void tensor(JsonGenerator json, TensorSpec spec, ModelSignature signature) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", spec.name());
        json.writeStringField("datatype", spec.dataType().name());
        json.writeArrayFieldStart("shape");
        for (long dim : signature.publicShape(spec)) {
            json.writeNumber(dim);
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    /** Triton's repository index: name, version, state, reason; the provider in parameters. */
    static byte[] index(List<IndexEntry> entries) {
        return JsonResponses.json(json -> {
            json.writeStartArray();
            for (IndexEntry entry : entries) {
                json.writeStartObject();
                json.writeStringField("name", entry.name());
                if (!entry.version().isEmpty()) {
                    json.writeStringField("version", entry.version());
                }
                json.writeStringField("state", entry.state().name());
                json.writeStringField("reason", entry.reason());
                if (!entry.provider().isEmpty()) {
                    json.writeObjectFieldStart("parameters");
                    json.writeStringField("execution_provider", entry.provider());
                    json.writeEndObject();
                }
                json.writeEndObject();
            }
            json.writeEndArray();
        });
    }
}
