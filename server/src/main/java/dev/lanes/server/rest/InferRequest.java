package dev.lanes.server.rest;

import dev.lanes.runtime.model.CheckedInputs;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A decoded V2 inference request. Owns its input tensors until they are handed to the runtime;
 * {@link #close()} releases whatever was not handed over.
 *
 * @param id                 the request's id, echoed in the response, or null
 * @param inputs             decoded inputs, checked against the signature
 * @param outputs            the outputs the client asked for, empty for all
 * @param timeoutMicros      the {@code timeout} parameter, 0 when absent
 * @param binaryOutputs      the {@code binary_data_output} parameter: outputs default to binary
 * @param cacheBypass        the {@code cache_bypass} parameter: answer from the model, not the cache
 */
record InferRequest(String id, CheckedInputs inputs, List<RequestedOutput> outputs, long timeoutMicros,
                    boolean binaryOutputs, boolean cacheBypass) implements AutoCloseable {

    /** One entry of the request's {@code outputs}; {@code binary} is null when not stated. */
    record RequestedOutput(String name, Boolean binary) {
    }

    Set<String> outputNames() {
        Set<String> names = new LinkedHashSet<>();
        outputs.forEach(output -> names.add(output.name()));
        return names;
    }

    /** Whether output {@code name} goes into the binary section of the response. */
    boolean binary(String name) {
        for (RequestedOutput output : outputs) {
            if (output.name().equals(name) && output.binary() != null) {
                return output.binary();
            }
        }
        return binaryOutputs;
    }

    @Override
    public void close() {
        inputs.close();
    }
}
