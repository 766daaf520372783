package io.github.vectorlm.generation;

/**
 * The state of one sequence being run through a {@link LanguageModel}: its KV cache and every
 * scratch buffer, allocated once when the session is made. A session belongs to one thread at a
 * time; a model serves any number of sessions at once.
 */
public interface Session {
    /** How many tokens the session holds: the position the next token will take. */
    int position();

    /** The most tokens the session can hold (the model's context length). */
    int capacity();

    /** Forgets every token, keeping the buffers. */
    void reset();
}
