package io.github.vectorlm.generation;

/**
 * Receives a generation as it happens. Called once for every generated id, in order, with the
 * text that id releases; then, if any text is left over at the end (bytes of a character that
 * never completed, or text held back because it might have begun a stop string), once more with
 * {@link #END} as the id. The texts, joined, are exactly {@link GenerationResult#text()}.
 *
 * <p>The text given with an id may be empty (the id holds the first bytes of a character, or text
 * that could begin a stop string) or longer than the id's own text (it releases text held back
 * before).
 */
@FunctionalInterface
public interface TokenListener {
    /** The id passed with text left over at the end, which no generated id released. */
    int END = -1;

    /** Ignores everything. */
    TokenListener NONE = (id, text) -> { };

    /** A generated {@code id} (or {@link #END}) and the text it releases. */
    void onToken(int id, String text);

    /**
     * As {@link #onToken(int, String)}, with the token's log-probabilities when the generation
     * asked for them ({@link GenerationOptions#logprobs()}), null otherwise and with {@link #END}.
     * Generators call this one; by default it passes the id and text on.
     */
    default void onToken(int id, String text, TokenLogprobs logprobs) {
        onToken(id, text);
    }
}
