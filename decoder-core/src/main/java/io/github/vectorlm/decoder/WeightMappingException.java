package io.github.vectorlm.decoder;

import io.github.vectorlm.checkpoint.CheckpointException;
import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint's tensors do not fit the model its config describes: some are missing, unknown, of
 * the wrong shape or of an unusable dtype, or (for layouts split in partitions) their parts do not
 * fit together. Every problem is listed at once, one per line, each naming the tensor (and the
 * file, for multi-file layouts) and, for a shape mismatch, the expected and the found shape.
 */
public final class WeightMappingException extends CheckpointException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    /** One line per problem (a String[] keeps the exception serializable). */
    private final String[] problems;

    /**
     * An exception listing {@code problems}.
     *
     * @param file the checkpoint (a file or a folder)
     * @param what the layout and model, e.g. {@code "Hugging Face GPT-2 weights for n_layer 12, ..."}
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
     * @return one line per problem, in the order found
     */
    public List<String> problems() {
        return List.of(problems);
    }
}
