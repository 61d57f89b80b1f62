package dev.lanes.server.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A response of the binary tensor data extension, split at its Inference-Header-Content-Length. */
public record BinaryResponse(JsonNode json, byte[] data) {
    public static BinaryResponse of(HttpResponse<byte[]> response) throws IOException {
        int headerLength = Integer.parseInt(
                response.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        byte[] body = response.body();
        return new BinaryResponse(ServerFixture.json(new String(body, 0, headerLength, StandardCharsets.UTF_8)),
                Arrays.copyOfRange(body, headerLength, body.length));
    }

    public float[] floats() {
        return BinaryRequests.toFloats(data, 0, data.length);
    }
}
