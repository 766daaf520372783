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

    /**
     * For implementations: checks the arguments of {@link #forward} or {@link #forwardAll} against
     * the contract above before anything runs, so that a refused call leaves {@code session} as it
     * was. Whether the session belongs to the model is the caller's check.
     *
     * @param logitsNeeded the floats the call writes into {@code logits}
     * @param vocabSize the model's {@link #vocabSize()}
     * @throws IllegalArgumentException if {@code count} is 0, the tokens lie outside the array, the
     *     session would exceed its capacity, {@code logits} is too short, or an id is outside the
     *     vocabulary
     */
    static void checkForward(Session session, int[] tokens, int offset, int count, float[] logits,
            long logitsNeeded, int vocabSize) {
        if (count < 1) {
            throw new IllegalArgumentException("forward of " + count + " tokens");
        }
        if (offset < 0 || offset > tokens.length - count) {
            throw new IllegalArgumentException("tokens [" + offset + ", " + ((long) offset + count)
                    + ") outside an array of " + tokens.length);
        }
        if (count > session.capacity() - session.position()) {
            throw new IllegalArgumentException(count + " more tokens do not fit: the session holds "
                    + session.position() + " of " + session.capacity() + " positions");
        }
        if (logits.length < logitsNeeded) {
            throw new IllegalArgumentException("logits array of " + logits.length + " floats, need " + logitsNeeded);
        }
        for (int i = offset; i < offset + count; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + tokens[i] + " at index " + i
                        + " is outside the vocabulary of " + vocabSize);
            }
        }
    }

    /** Releases the mapped weights; sessions of this model become unusable. */
    @Override
    void close();
}
