package dev.lanes.server.config;

import dev.lanes.runtime.model.ConfigBounds;

import java.time.Duration;

/** Range checks for configuration values; the message names the key, the bounds and the value. */
final class Bounds {
    private Bounds() {
    }

    static void within(String key, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    static void within(String key, long value, long min, long max) {
        ConfigBounds.check(key, value, min, max); // the same check and message as config.pbtxt's numbers
    }
}
