package io.github.vectorlm.gpt2;

import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.generation.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** Finds the tokenizer of a GPT-2 model. */
final class Gpt2Tokenizers {
    private Gpt2Tokenizers() {
    }

    /**
     * The tokenizer named by {@code explicit}, else the one beside the weights in {@code folder},
     * else null (the model then runs on ids alone).
     */
    static Tokenizer find(Path folder, Path explicit) throws IOException {
        if (explicit != null) {
            // Reading tokenizer files belongs to the generation module's tokenizer factory (issue 5),
            // which this is wired to once it is merged.
            throw new UnsupportedCheckpointException(explicit, null, "tokenizer loading is not available yet");
        }
        return null;
    }
}
