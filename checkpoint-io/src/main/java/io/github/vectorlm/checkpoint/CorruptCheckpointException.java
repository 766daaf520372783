package io.github.vectorlm.checkpoint;

import java.nio.file.Path;

/** The bytes of a checkpoint are inconsistent: truncated, out-of-range offsets, bad magic, checksum mismatch. */
public class CorruptCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /** See {@link CheckpointException#CheckpointException(Path, String, String)}. */
    public CorruptCheckpointException(Path file, String tensor, String problem) {
        super(file, tensor, problem);
    }

    /** See {@link CheckpointException#CheckpointException(Path, String, String, Throwable)}. */
    public CorruptCheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(file, tensor, problem, cause);
    }
}
