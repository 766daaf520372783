package io.github.vectorlm.gpt2;

import io.github.vectorlm.checkpoint.CheckpointException;
import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint's tensors do not fit the model its config describes: some are missing, unknown,
 * of the wrong shape or of an unusable dtype. Every problem is listed at once, one per line, each
 * naming the tensor and, for a shape mismatch, the expected and the found shape.
 */
public final class WeightMappingException extends CheckpointException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** One line per problem. */
    private final String[] problems;

    /**
     * An exception listing {@code problems}.
     *
     * @param file the checkpoint
     * @param what the layout and model, e.g. {@code "Hugging Face GPT-2 weights (prefix 'transformer.')"}
     * @param problems one line per problem
     */
    public WeightMappingException(Path file, String what, List<String> problems) {
        super(file, null, problems.size() + (problems.size() == 1 ? " problem" : " problems") + " with " + what
                + ":\n  " + String.join("\n  ", problems));
        this.problems = problems.toArray(String[]::new);
    }

    /**
     * The problems.
     *
     * @return one line per problem, in the order reported
     */
    public List<String> problems() {
        return List.of(problems);
    }
}
