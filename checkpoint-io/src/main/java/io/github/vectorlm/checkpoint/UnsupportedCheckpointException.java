package io.github.vectorlm.checkpoint;

import java.nio.file.Path;

/** A well-formed checkpoint uses a feature this reader does not implement (a dtype, a compression, a layout). */
public class UnsupportedCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /** See {@link CheckpointException#CheckpointException(Path, String, String)}. */
    public UnsupportedCheckpointException(Path file, String tensor, String problem) {
        super(file, tensor, problem);
    }

    /** See {@link CheckpointException#CheckpointException(Path, String, String, Throwable)}. */
    public UnsupportedCheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(file, tensor, problem, cause);
    }
}
