package dev.lanes.runtime.model;

import java.util.Locale;

/** Where a model's instances should run, as configured. */
public enum ProviderChoice {
    /** ONNX Runtime's default CPU provider. */
    CPU,
    /** CUDA; loading fails when the CUDA provider cannot be loaded. */
    CUDA,
    /** CUDA when its provider loads, else CPU with a log line. */
    AUTO;

    public static ProviderChoice parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("execution provider must be cpu, cuda or auto, got '" + value + "'");
        }
    }
}
