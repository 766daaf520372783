package io.github.vectorlm.generation;

import java.util.Optional;

/**
 * A causal language model: tokens in, next-token logits out. Immutable and thread-safe; the
 * per-sequence state lives in {@link Session}s it makes.
 *
 * <pre>{@code
 * try (LanguageModel model = LanguageModels.load(Path.of("gpt2"))) {
 *     Session session = model.newSession();
 *     float[] logits = new float[model.vocabSize()];
 *     model.forward(session, new int[] {464, 2068}, 0, 2, logits);
 * }
 * }</pre>
 */
public interface LanguageModel extends AutoCloseable {
    /** The architecture, e.g. {@code "gpt2"} or {@code "gpt-neox"}. */
    String architecture();

    /** Number of logits per position (may exceed the tokenizer's vocabulary, e.g. nanoGPT's 50304). */
    int vocabSize();

    /** The most positions a session can hold. */
    int contextLength();

    /** The tokenizer found beside the weights, if any. */
    Optional<Tokenizer> tokenizer();

    /** A fresh session, empty, with buffers for {@link #contextLength()} positions. */
    default Session newSession() {
        return newSession(contextLength());
    }

    /**
     * A fresh session, empty, with buffers for {@code capacity} positions: its KV cache takes
     * memory in proportion to {@code capacity}, so a short job needs no cache for the whole
     * context.
     *
     * @throws IllegalArgumentException unless {@code 1 <= capacity <= contextLength()}
     */
    Session newSession(int capacity);

    /**
     * Appends {@code tokens[offset .. offset+count)} to {@code session} and writes the logits of
     * the last of them into {@code logits[0 .. vocabSize())}. Many tokens run as one batched
     * prefill; one token as a decode step.
     *
     * @throws IllegalArgumentException if a token is outside the vocabulary, the session would
     *     exceed its capacity, {@code count} is 0, or {@code logits} is too short
     */
    void forward(Session session, int[] tokens, int offset, int count, float[] logits);

    /**
     * As {@link #forward}, but writes the logits of every new position: {@code logits} receives
     * [count, vocabSize] floats.
     */
    void forwardAll(Session session, int[] tokens, int offset, int count, float[] logits);

    /** Releases the mapped weights; sessions of this model become unusable. */
    @Override
    void close();
}
