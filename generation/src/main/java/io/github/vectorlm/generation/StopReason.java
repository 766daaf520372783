package io.github.vectorlm.generation;

/** Why a generation ended. */
public enum StopReason {
    /** The requested number of new tokens was generated. */
    MAX_TOKENS,
    /** A stop token (by default the tokenizer's end-of-text) was generated. */
    STOP_TOKEN,
    /** The generated text came to contain a stop string. */
    STOP_STRING,
    /** The session is full: the model's context length is reached (see {@link Generator}). */
    CONTEXT_FULL
}
