package io.github.vectorlm.checkpoint;

import java.nio.file.Path;

/** A checkpoint asks for something the reader refuses to do, such as a pickle global outside the allow-list; nothing of it was executed. */
public class UnsafeCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /** See {@link CheckpointException#CheckpointException(Path, String, String)}. */
    public UnsafeCheckpointException(Path file, String tensor, String problem) {
        super(file, tensor, problem);
    }

    /** See {@link CheckpointException#CheckpointException(Path, String, String, Throwable)}. */
    public UnsafeCheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(file, tensor, problem, cause);
    }
}
