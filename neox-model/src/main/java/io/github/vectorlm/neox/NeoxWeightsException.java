package io.github.vectorlm.neox;

import io.github.vectorlm.checkpoint.CheckpointException;
import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint's tensors do not fit the model its config describes: some are missing, unknown, of
 * the wrong shape or dtype, or (for NeoX slim weights) their tensor-parallel partitions do not fit
 * together. Every problem found is listed at once, one per line, each naming the tensor (and the
 * file, for multi-file layouts) and, for a shape mismatch, the expected and the found shape.
 */
public final class NeoxWeightsException extends CheckpointException {
    /** Serialization version. */
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * An exception listing {@code problems}.
     *
     * @param file the checkpoint (a file or a folder)
     * @param what the layout and model, e.g. {@code "Hugging Face GPT-NeoX weights for hidden 64, ..."}
     * @param problems one line per problem
     */
    public NeoxWeightsException(Path file, String what, List<String> problems) {
        super(file, null, problems.size() + (problems.size() == 1 ? " problem" : " problems") + " with " + what
                + ":\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** {@return one line per problem, in the order found} */
    public List<String> problems() {
        return problems;
    }
}
