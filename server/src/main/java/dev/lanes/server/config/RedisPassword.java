package dev.lanes.server.config;

import dev.lanes.cache.RedisSettings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Redis AUTH password, from {@code LANES_CACHE_REDIS_PASSWORD} (or the config file) or from a
 * file such as a mounted Kubernetes Secret, never from the command line (Cli refuses it there:
 * every user of the host can read a process's arguments).
 */
final class RedisPassword {
    private RedisPassword() {
    }

    /** @return the password, or null when neither source gives one (the URL's then applies) */
    static String resolve(Optional<String> value, Optional<String> file) {
        if (value.isPresent() && file.isPresent()) {
            throw new IllegalArgumentException("set " + ConfigKeys.CACHE_REDIS_PASSWORD + " or "
                    + ConfigKeys.CACHE_REDIS_PASSWORD_FILE + ", not both");
        }
        if (value.isPresent()) {
            return value.get();
        }
        return file.map(RedisPassword::read).orElse(null);
    }

    private static String read(String name) {
        Path path = Path.of(name);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(RedisSettings.MAX_PASSWORD_LENGTH + 2);
        } catch (IOException e) {
            throw new IllegalArgumentException(ConfigKeys.CACHE_REDIS_PASSWORD_FILE + ": cannot read " + path + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(ConfigKeys.CACHE_REDIS_PASSWORD_FILE + ": " + path + " is not UTF-8 text");
        }
        // A Secret written with `echo` or an editor ends in a newline that is not part of the password.
        String password = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (password.isEmpty() || password.length() > RedisSettings.MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException(ConfigKeys.CACHE_REDIS_PASSWORD_FILE + ": " + path + " must hold 1 to "
                    + RedisSettings.MAX_PASSWORD_LENGTH + " characters");
        }
        return password;
    }
}
