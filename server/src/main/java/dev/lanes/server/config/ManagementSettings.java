package dev.lanes.server.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How models are loaded and who may change them.
 *
 * @param mode             Triton's model control mode
 * @param loadModels       explicit mode: the models loaded at start ({@code *} for all)
 * @param pollInterval     poll mode: how often the repository is rescanned
 * @param token            when present, repository load/unload need {@code Authorization: Bearer <token>}
 *                         (REST) or the same {@code authorization} metadata (gRPC)
 * @param protectInference inference needs the token too (health, metadata and metrics stay open)
 * @param exitOnError      Triton's {@code --exit-on-error}: a model that fails to load at start
 *                         stops the node (exit status 1) instead of leaving it live and unready
 */
public record ManagementSettings(ControlMode mode, List<String> loadModels, Duration pollInterval,
                                 Optional<String> token, boolean protectInference, boolean exitOnError) {
    public static final ManagementSettings DEFAULT = new ManagementSettings(ControlMode.NONE, List.of(),
            Duration.ofSeconds(15), Optional.empty(), false, false);

    /** A node that stays up, unready, when a model fails to load. */
    public ManagementSettings(ControlMode mode, List<String> loadModels, Duration pollInterval,
                              Optional<String> token, boolean protectInference) {
        this(mode, loadModels, pollInterval, token, protectInference, false);
    }

    /** Triton's {@code --model-control-mode}. */
    public enum ControlMode {
        /** Load everything at start; the load and unload APIs are refused. */
        NONE,
        /** Load what {@code loadModels} names at start; then only through the API. */
        EXPLICIT,
        /** Load everything at start, then apply changes on disk; the API is refused, as in Triton. */
        POLL;

        public static ControlMode parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ConfigKeys.MODEL_CONTROL_MODE + " must be none, explicit or poll, got '"
                        + text + "'");
            }
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ManagementSettings {
        loadModels = List.copyOf(loadModels);
        if (pollInterval.isNegative() || pollInterval.isZero() || pollInterval.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(ConfigKeys.REPOSITORY_POLL_INTERVAL + " must be positive and at most PT24H, got "
                    + pollInterval);
        }
        if (!loadModels.isEmpty() && mode != ControlMode.EXPLICIT) {
            throw new IllegalArgumentException(ConfigKeys.LOAD_MODELS + " needs " + ConfigKeys.MODEL_CONTROL_MODE
                    + "=explicit (in mode " + mode.wireName() + " every model loads at start)");
        }
        token = token.filter(value -> !value.isBlank());
        if (protectInference && token.isEmpty()) {
            throw new IllegalArgumentException(ConfigKeys.PROTECT_INFERENCE + " needs " + ConfigKeys.MANAGEMENT_TOKEN);
        }
    }

    /** Explicit mode with {@code *}: every directory loads at start. */
    public boolean loadsAllAtStart() {
        return mode != ControlMode.EXPLICIT || loadModels.contains("*");
    }
}
