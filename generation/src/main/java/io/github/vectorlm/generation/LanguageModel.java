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
     * Bytes a session of {@code capacity} positions holds (its KV cache), for budgeting memory
     * across many sessions. The default is 0: unknown.
     *
     * @param capacity the session's positions
     * @return the bytes of its buffers
     */
    default long sessionBytes(int capacity) {
        return 0;
    }

    /**
     * A reusable batch for {@link #forward(Batch)} of at most {@code maxRows} positions per pass,
     * with the model's workspace for that many.
     *
     * @param maxRows the most positions one pass takes, over all its entries
     * @return an empty batch
     * @throws IllegalArgumentException if {@code maxRows < 1}
     */
    default Batch newBatch(int maxRows) {
        return new Batch(maxRows);
    }

    /**
     * Runs every entry of {@code batch} (made by this model's {@link #newBatch}) in one pass: the
     * weights are read once for all of them, attention runs over each session's own cache. Each
     * entry's logits and session are bit-identical to a {@link #forward} (or {@link #forwardAll})
     * of the same tokens alone, whatever the other entries and the thread count. Every entry is
     * checked first (as {@link #forward} checks its arguments), so a refused batch changes no
     * session. The default runs the entries one after another.
     *
     * @param batch the entries; left as it is (clear it for the next pass)
     * @throws IllegalArgumentException if an entry would be refused by {@link #forward}, or the
     *     batch was made by another model
     */
    default void forward(Batch batch) {
        for (int i = 0; i < batch.size(); i++) {
            Session s = batch.session(i);
            if (s.capacity() - s.position() < batch.count(i)) {
                throw new IllegalArgumentException(batch.count(i) + " more tokens do not fit in " + s);
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            float[] out = batch.logits(i);
            int at = batch.logitsOffset(i);
            if (batch.allPositions(i)) {
                float[] all = at == 0 ? out : new float[batch.count(i) * vocabSize()];
                forwardAll(batch.session(i), batch.tokens(i), batch.offset(i), batch.count(i), all);
                if (all != out) {
                    System.arraycopy(all, 0, out, at, all.length);
                }
            } else {
                float[] last = at == 0 ? out : new float[vocabSize()];
                forward(batch.session(i), batch.tokens(i), batch.offset(i), batch.count(i), last);
                if (last != out) {
                    System.arraycopy(last, 0, out, at, vocabSize());
                }
            }
        }
    }

    /** Releases the mapped weights; sessions of this model become unusable. */
    @Override
    void close();
}
