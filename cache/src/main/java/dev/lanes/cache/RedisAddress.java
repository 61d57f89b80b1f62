package dev.lanes.cache;

import java.util.ArrayList;
import java.util.List;

/** One Redis or Sentinel endpoint, {@code host:port} ({@code [v6 address]:port} for IPv6). */
public record RedisAddress(String host, int port) {
    /** More would be a typo or a pasted file: real deployments name three to a dozen seeds. */
    public static final int MAX_PER_LIST = 64;

    public RedisAddress {
        if (host == null || host.isBlank() || host.length() > 253) {
            throw new IllegalArgumentException("a Redis host must be 1 to 253 characters");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("a Redis port must be between 1 and 65535, got " + port);
        }
    }

    /** {@code host:port} or {@code [::1]:port}; {@code key} names the setting in errors. */
    public static RedisAddress parse(String text, String key) {
        String trimmed = text.trim();
        if (trimmed.contains("@") || trimmed.contains("/")) {
            // not echoed: a URL pasted here may hold a password
            throw new IllegalArgumentException(key + ": give host:port, not a URL");
        }
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException(key + ": '" + trimmed + "' is not host:port");
        }
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException(key + ": write an IPv6 address in brackets, [" + host + "]:port");
        }
        int port;
        try {
            port = Integer.parseInt(trimmed.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + trimmed + "' has no numeric port");
        }
        try {
            return new RedisAddress(host, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    /** A comma-separated list of {@code host:port}, 1 to {@link #MAX_PER_LIST} of them, no repeats. */
    public static List<RedisAddress> parseList(String text, String key) {
        List<RedisAddress> addresses = new ArrayList<>();
        for (String part : text.split(",", MAX_PER_LIST + 1)) {
            if (addresses.size() == MAX_PER_LIST) {
                throw new IllegalArgumentException(key + ": at most " + MAX_PER_LIST + " addresses");
            }
            RedisAddress address = parse(part, key);
            if (addresses.contains(address)) {
                throw new IllegalArgumentException(key + ": " + address + " is named twice");
            }
            addresses.add(address);
        }
        return List.copyOf(addresses);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
