package io.github.vectorlm.corpus;

import java.io.IOException;
import java.nio.file.Path;

/** A line of a JSON-lines corpus that is not a document: not JSON, not UTF-8, without the key. */
public final class CorpusLineException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;

    /** The line {@code line} (counting from 1) of {@code file}, and what is wrong with it. */
    public CorpusLineException(Path file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The line number, from 1. */
    public long line() {
        return line;
    }
}
