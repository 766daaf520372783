package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint could not be read. The message names the file, the tensor (when one is concerned)
 * and what was wrong; {@link #file()} and {@link #tensor()} give them to code.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String tensor;

    /**
     * @param file the file being read (may be null when there is none, e.g. an in-memory source)
     * @param tensor the tensor or entry concerned, or null
     * @param problem what was wrong
     */
    public CheckpointException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    /** As {@link #CheckpointException(Path, String, String)}, with a cause. */
    public CheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(format(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    private static String format(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file);
        }
        if (tensor != null) {
            sb.append(sb.isEmpty() ? "" : ": ").append("tensor '").append(tensor).append('\'');
        }
        return sb.append(sb.isEmpty() ? "" : ": ").append(problem).toString();
    }

    /** The file being read, or null. */
    public Path file() {
        return file;
    }

    /** The tensor or entry concerned, or null. */
    public String tensor() {
        return tensor;
    }
}
