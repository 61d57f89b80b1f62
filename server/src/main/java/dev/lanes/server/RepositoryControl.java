package dev.lanes.server;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.config.ModelConfigParser;
import dev.lanes.runtime.config.proto.ModelConfig;
import dev.lanes.runtime.repository.ModelRepository;
import dev.lanes.server.config.ManagementSettings.ControlMode;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Triton's model repository extension, whatever the protocol: load (with an optional JSON
 * {@code config} override) and unload, allowed in control mode explicit only, as in Triton.
 */
public final class RepositoryControl {
    /** Largest {@code config} override, in UTF-8 bytes; model configurations are a few KiB. */
    public static final int MAX_CONFIG_OVERRIDE_BYTES = 1 << 20;
    public static final String CONFIG_PARAMETER = "config";

    private final ModelRepository repository;
    private final ControlMode mode;

    public RepositoryControl(ModelRepository repository, ControlMode mode) {
        this.repository = repository;
        this.mode = mode;
    }

    /**
     * Loads or reloads a model; returns once the new versions serve (the replaced ones close in
     * the background as their requests finish).
     *
     * @param parameters the request's parameters: string values, or null for other types
     */
    public void load(String model, Map<String, String> parameters) {
        requireExplicitMode();
        Optional<ModelConfig> override = Optional.empty();
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            if (name.equals(CONFIG_PARAMETER)) {
                override = Optional.of(parseOverride(parameter.getValue()));
            } else if (name.startsWith("file:")) {
                throw InferenceException.invalidInput("load parameter '%s': Lanes loads model files from its"
                        + " repository only; copy the file there and load again", name);
            } else {
                throw InferenceException.invalidInput("unknown load parameter '%s' (Lanes takes '%s')", name,
                        CONFIG_PARAMETER);
            }
        }
        repository.load(model, override);
    }

    public void unload(String model) {
        requireExplicitMode();
        repository.unload(model);
    }

    /** The load API's {@code config} parameter as a configuration, or a 400 that says what is wrong. */
    static ModelConfig parseOverride(String json) {
        if (json == null) {
            throw InferenceException.invalidInput("load parameter '%s' must be a string holding the model"
                    + " configuration as JSON", CONFIG_PARAMETER);
        }
        // Each char is at least one UTF-8 byte, so only long strings need encoding to be measured.
        if (json.length() > MAX_CONFIG_OVERRIDE_BYTES / 3
                && json.getBytes(StandardCharsets.UTF_8).length > MAX_CONFIG_OVERRIDE_BYTES) {
            throw InferenceException.tooLarge("load parameter '%s' is over %d bytes", CONFIG_PARAMETER,
                    MAX_CONFIG_OVERRIDE_BYTES);
        }
        try {
            return ModelConfigParser.parseJson(json);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw InferenceException.invalidInput("load parameter '%s' is not a valid model configuration: %s",
                    CONFIG_PARAMETER, e.getMessage());
        }
    }

    private void requireExplicitMode() {
        if (mode != ControlMode.EXPLICIT) {
            throw InferenceException.invalidInput("explicit model load / unload is not allowed in model control mode"
                    + " '%s': start the server with --model-control-mode explicit", mode.wireName());
        }
    }
}
