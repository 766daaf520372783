package io.github.vectorlm.generation;

import java.io.IOException;
import java.nio.file.Path;

/**
 * No {@link ModelLoader} recognises a path (or several do). The message lists the loaders that
 * were asked and what the path holds.
 */
public class UnrecognizedModelException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /** An unrecognised {@code path}, with the full explanation in {@code message}. */
    public UnrecognizedModelException(Path path, String message) {
        super(message);
        this.path = path;
    }

    /** The path that was to be loaded. */
    public Path path() {
        return path;
    }
}
