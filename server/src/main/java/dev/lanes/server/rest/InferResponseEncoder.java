package dev.lanes.server.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lanes.runtime.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * Writes a V2 inference response: JSON, or a JSON header followed by raw output bytes when any
 * output is binary (the binary tensor data extension). Only fields the protocol defines appear.
 */
final class InferResponseEncoder {
    // Schubfach-based number writing: JSON outputs are mostly floats.
    static final JsonFactory JSON = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private InferResponseEncoder() {
    }

    /** A response ready to send: the JSON part and the binary outputs that follow it, in order. */
    record Encoded(byte[] header, List<ByteBuffer> binary, boolean hasBinary) {
        long contentLength() {
            long length = header.length;
            for (ByteBuffer buffer : binary) {
                length += buffer.remaining();
            }
            return length;
        }

        void writeTo(OutputStream out) throws IOException {
            out.write(header);
            WritableByteChannel channel = Channels.newChannel(out);
            for (ByteBuffer buffer : binary) {
                ByteBuffer view = buffer.duplicate();
                while (view.hasRemaining()) {
                    channel.write(view);
                }
            }
        }
    }

    static Encoded encode(String model, long version, InferRequest request, List<Tensor> outputs) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream(256);
        List<ByteBuffer> binary = new java.util.ArrayList<>();
        try (JsonGenerator json = JSON.createGenerator(header)) {
            json.writeStartObject();
            json.writeStringField("model_name", model);
            json.writeStringField("model_version", Long.toString(version));
            if (request.id() != null) {
                json.writeStringField("id", request.id());
            }
            json.writeArrayFieldStart("outputs");
            for (Tensor output : outputs) {
                json.writeStartObject();
                json.writeStringField("name", output.name());
                json.writeStringField("datatype", output.dataType().name());
                json.writeArrayFieldStart("shape");
                for (long dim : output.shape()) {
                    json.writeNumber(dim);
                }
                json.writeEndArray();
                if (request.binary(output.name())) {
                    ByteBuffer data = output.data();
                    json.writeObjectFieldStart("parameters");
                    json.writeNumberField("binary_data_size", data.remaining());
                    json.writeEndObject();
                    binary.add(data);
                } else {
                    json.writeFieldName("data");
                    JsonTensorData.write(json, output.dataType(), output.data());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        return new Encoded(header.toByteArray(), binary, !binary.isEmpty());
    }
}
