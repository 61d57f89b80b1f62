package dev.lanes.runtime;

import java.util.Objects;

/**
 * The one error type of Lanes. Its message is written for the client and names the offending
 * model, input or limit; internals (stack traces, ORT codes) stay in the log via the cause.
 */
public final class InferenceException extends RuntimeException {
    private final ErrorKind kind;

    public InferenceException(ErrorKind kind, String message) {
        this(kind, message, null);
    }

    public InferenceException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public ErrorKind kind() {
        return kind;
    }

    public static InferenceException invalidInput(String format, Object... args) {
        return new InferenceException(ErrorKind.INVALID_INPUT, String.format(format, args));
    }

    public static InferenceException tooLarge(String format, Object... args) {
        return new InferenceException(ErrorKind.PAYLOAD_TOO_LARGE, String.format(format, args));
    }

    /** Triton's wording, which Triton clients match on. */
    public static InferenceException unknownModel(String model) {
        return new InferenceException(ErrorKind.MODEL_NOT_FOUND,
                "Request for unknown model: '" + model + "' is not found");
    }

    public static InferenceException unknownVersion(String model, long version) {
        return new InferenceException(ErrorKind.MODEL_NOT_FOUND,
                "Request for unknown model: '" + model + "' version " + version + " is not found");
    }
}
