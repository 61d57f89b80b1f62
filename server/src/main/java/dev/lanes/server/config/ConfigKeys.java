package dev.lanes.server.config;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every configuration key Lanes reads. Each can also come from the environment under the name
 * {@link #environmentName} gives (e.g. {@code lanes.server.max-request-size} from
 * {@code LANES_SERVER_MAX_REQUEST_SIZE}); docs/configuration.md documents them all.
 */
public final class ConfigKeys {
    public static final String HOST = "lanes.server.host";
    public static final String PORT = "lanes.server.port";
    public static final String MAX_REQUEST_SIZE = "lanes.server.max-request-size";
    public static final String MAX_TENSOR_ELEMENTS = "lanes.server.max-tensor-elements";
    public static final String STRICT_READINESS = "lanes.server.strict-readiness";
    public static final String MODEL_REPOSITORY = "lanes.model-repository";
    public static final String EXECUTION_PROVIDER = "lanes.runtime.execution-provider";
    public static final String DEFAULT_MAX_BATCH_SIZE = "lanes.runtime.default-max-batch-size";
    public static final String DEFAULT_MAX_QUEUE_DELAY = "lanes.runtime.default-max-queue-delay";
    public static final String DEFAULT_MAX_QUEUE_SIZE = "lanes.runtime.default-max-queue-size";
    public static final String WARM_UP = "lanes.runtime.warm-up";
    public static final String BUFFER_POOL_SIZE = "lanes.runtime.buffer-pool-size";

    public static final List<String> ALL = List.of(HOST, PORT, MAX_REQUEST_SIZE, MAX_TENSOR_ELEMENTS,
            STRICT_READINESS, MODEL_REPOSITORY, EXECUTION_PROVIDER, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_QUEUE_DELAY,
            DEFAULT_MAX_QUEUE_SIZE, WARM_UP, BUFFER_POOL_SIZE);

    private ConfigKeys() {
    }

    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The known keys present in {@code environment}, under their configuration names. */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> values = new HashMap<>();
        for (String key : ALL) {
            String value = environment.get(environmentName(key));
            if (value != null) {
                values.put(key, value);
            }
        }
        return values;
    }
}
