package dev.lanes.benchmarks.load;

import java.util.Locale;

/** The wire forms the load generator speaks. */
public enum Protocol {
    /** V2 REST with tensor data as JSON numbers. */
    REST_JSON("rest-json"),
    /** V2 REST with the binary tensor data extension for inputs and outputs. */
    REST_BINARY("rest-binary"),
    /** V2 gRPC with raw_input_contents. */
    GRPC("grpc");

    private final String label;

    Protocol(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Protocol parse(String text) {
        for (Protocol protocol : values()) {
            if (protocol.label.equals(text.toLowerCase(Locale.ROOT))) {
                return protocol;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + text + "' (rest-json, rest-binary or grpc)");
    }
}
