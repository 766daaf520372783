package io.github.vectorlm.checkpoint;

import java.util.Objects;
import java.util.Set;

/**
 * How {@link Checkpoints#open(java.nio.file.Path, CheckpointOptions)} reads a checkpoint.
 *
 * @param verifyChecksums check each tensor's stored checksum (TensorFlow bundles) on first read
 * @param extraPickleGlobals pickle globals, as {@code "module.name"}, to accept beyond the built-in
 *     allow-list; they are never called, only recorded as {@code PickledObject} data
 */
public record CheckpointOptions(boolean verifyChecksums, Set<String> extraPickleGlobals) {
    /** Checks the arguments and copies the set. */
    public CheckpointOptions {
        extraPickleGlobals = Set.copyOf(Objects.requireNonNull(extraPickleGlobals, "extraPickleGlobals"));
    }

    /** Checksums verified, built-in allow-list only. */
    public static CheckpointOptions defaults() {
        return new CheckpointOptions(true, Set.of());
    }

    /** These options with checksum verification on or off. */
    public CheckpointOptions withVerifyChecksums(boolean verify) {
        return new CheckpointOptions(verify, extraPickleGlobals);
    }

    /** These options accepting more pickle globals ({@code "module.name"}). */
    public CheckpointOptions withExtraPickleGlobals(Set<String> globals) {
        return new CheckpointOptions(verifyChecksums, globals);
    }
}
