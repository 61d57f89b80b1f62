package dev.lanes.runtime.repository;

/**
 * One row of the repository index.
 *
 * @param version  the version, or empty when the model failed before any version was considered
 * @param reason   why it is not ready, or empty
 * @param provider the execution provider in use, or empty when not loaded
 */
public record IndexEntry(String name, String version, ModelState state, String reason, String provider) {
}
