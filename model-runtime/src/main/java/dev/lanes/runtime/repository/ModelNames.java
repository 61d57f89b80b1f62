package dev.lanes.runtime.repository;

import dev.lanes.runtime.InferenceException;

/**
 * Model names that arrive in management requests become directory names under the repository
 * root, so they must name a child of it and nothing else.
 */
final class ModelNames {
    private static final int MAX_LENGTH = 255;

    private ModelNames() {
    }

    /** @throws InferenceException INVALID_INPUT for a name that could leave the repository root */
    static String validate(String name) {
        if (name == null || name.isEmpty()) {
            throw InferenceException.invalidInput("a model name is required");
        }
        if (name.length() > MAX_LENGTH || name.startsWith(".") || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0 || name.indexOf(':') >= 0 || name.chars().anyMatch(Character::isISOControl)) {
            throw InferenceException.invalidInput("invalid model name '%s': a model name is one directory name"
                    + " under the repository (no path separators, no leading '.', at most %d characters)",
                    name.chars().anyMatch(Character::isISOControl) ? "(control characters)" : name, MAX_LENGTH);
        }
        return name;
    }
}
