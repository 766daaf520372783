package io.github.vectorlm.corpus;

import java.util.List;

/**
 * How {@link Preprocessor} turns a corpus into datasets.
 *
 * @param keys the JSON keys whose texts are tokenized, one dataset per key (GPT-NeoX's
 *     {@code --jsonl-keys}); at least one
 * @param appendEndOfText whether each document ends with the tokenizer's end-of-text id
 *     ({@code --append-eod})
 * @param workers tokenizing threads, 1 or more; the output is the same for any number
 * @param skipBadLines whether a bad line is counted and skipped rather than an error
 */
public record PreprocessOptions(List<String> keys, boolean appendEndOfText, int workers, boolean skipBadLines) {
    /** Checks the values. */
    public PreprocessOptions {
        keys = List.copyOf(keys);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("give at least one JSON key");
        }
        if (keys.stream().distinct().count() != keys.size()) {
            throw new IllegalArgumentException("a JSON key is given twice: " + keys);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
    }

    /** The key {@code text}, no end-of-text, one worker per available processor, bad lines are errors. */
    public static PreprocessOptions defaults() {
        return new PreprocessOptions(List.of("text"), false, Runtime.getRuntime().availableProcessors(), false);
    }

    /** With these keys. */
    public PreprocessOptions withKeys(List<String> k) {
        return new PreprocessOptions(k, appendEndOfText, workers, skipBadLines);
    }

    /** With or without the end-of-text id after each document. */
    public PreprocessOptions withAppendEndOfText(boolean on) {
        return new PreprocessOptions(keys, on, workers, skipBadLines);
    }

    /** With this many tokenizing threads. */
    public PreprocessOptions withWorkers(int n) {
        return new PreprocessOptions(keys, appendEndOfText, n, skipBadLines);
    }

    /** Skipping bad lines, or not. */
    public PreprocessOptions withSkipBadLines(boolean on) {
        return new PreprocessOptions(keys, appendEndOfText, workers, on);
    }
}
