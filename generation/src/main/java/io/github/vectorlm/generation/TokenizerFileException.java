package io.github.vectorlm.generation;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tokenizer file that cannot be read: malformed, inconsistent (a merge of tokens not in the
 * vocabulary …), or using a feature VectorLM does not support (a WordPiece model, an unknown
 * pre-tokenizer …). The message names the file and what was wrong.
 */
public class TokenizerFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** An error in {@code file}; the message is prefixed with the file name. */
    public TokenizerFileException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    /** As {@link #TokenizerFileException(Path, String)}, with its cause. */
    public TokenizerFileException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
