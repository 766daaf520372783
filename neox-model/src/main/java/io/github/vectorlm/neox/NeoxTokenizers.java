package io.github.vectorlm.neox;

import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import io.github.vectorlm.generation.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Finds the tokenizer of a GPT-NeoX model. */
final class NeoxTokenizers {
    /** Looked for beside the weights, in this order: NeoX's download name, then Hugging Face's. */
    static final List<String> FILE_NAMES = List.of("20B_tokenizer.json", "tokenizer.json");

    private NeoxTokenizers() {
    }

    /** The tokenizer file: {@code explicit} if given, else the first of {@link #FILE_NAMES} in {@code folder}, else null. */
    static Path locate(Path folder, Path explicit) throws IOException {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new NoSuchFileException(explicit.toString(), null, "the tokenizer file given");
            }
            return explicit;
        }
        for (String name : FILE_NAMES) {
            Path f = folder.resolve(name);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return null;
    }

    /**
     * The tokenizer named by {@code explicit}, else the one beside the weights in {@code folder},
     * else null (the model then runs on ids alone).
     */
    static Tokenizer find(Path folder, Path explicit) throws IOException {
        Path file = locate(folder, explicit);
        if (file == null) {
            return null;
        }
        if (explicit != null) {
            // Reading tokenizer.json belongs to the generation module's Tokenizers (issue 5), wired here once merged.
            throw new UnsupportedCheckpointException(explicit, null, "tokenizer loading is not available yet");
        }
        return null;
    }
}
