package io.github.vectorlm.generation;

import java.util.Objects;

/**
 * Mean cross-entropy loss and perplexity of a token sequence under a model: how well the model
 * predicts each token from the ones before it.
 *
 * <p><b>Definition.</b> For ids {@code t[0 .. n)} ({@code n >= 2}), the loss is the mean over the
 * targets {@code p = 1 .. n-1} of {@code -log softmax(logits(p-1))[t[p]]}, where
 * {@code logits(p-1)} are the model's logits at position {@code p-1}; perplexity is
 * {@code exp(loss)}. The first token is context only (no token is prepended).
 *
 * <p><b>Sliding window.</b> The model sees at most {@code window} tokens at once (default: its
 * context length). With {@code stride} (default {@code window / 2}, must be in
 * {@code [1, window)}):
 * <pre>
 * prevEnd = 0
 * for begin = 0, stride, 2·stride, …:
 *     end = min(begin + window, n)
 *     run the model on t[begin .. end) from an empty session
 *     score every target p in [max(prevEnd, begin + 1), end) with the logits at p - 1 of this run
 *     prevEnd = end
 *     stop when end == n
 * </pre>
 * Every target {@code p} in {@code [1, n)} is scored exactly once, by the first window that
 * ends after it, with as much context as that window gives it (at least {@code window - stride}
 * tokens once past the first window). If {@code n <= window} this is one plain pass. The
 * log-softmax is computed in double precision with the maximum subtracted; the mean adds the
 * per-target losses in order, in double.
 *
 * <p>Allocates a logits buffer of a few chunk rows; runs windows in chunks of rows through
 * {@link LanguageModel#forwardAll}. Not thread-safe (one scorer per thread).
 */
public final class Scorer {
    /** Logits held at once: rows of vocabSize floats, about 32 MB. */
    private static final int LOGITS_BUDGET = 1 << 23;

    private final LanguageModel model;
    private final int window;
    private final int stride;
    private final int chunk;
    private final float[] logits;
    private final float[] lastLogits;

    /** A scorer with the model's context as the window and half of it as the stride. */
    public Scorer(LanguageModel model) {
        this(model, model.contextLength(), model.contextLength() / 2);
    }

    /**
     * A scorer with the given window and stride.
     *
     * @throws IllegalArgumentException unless {@code 2 <= window <= contextLength} and {@code 1 <= stride < window}
     */
    public Scorer(LanguageModel model, int window, int stride) {
        this(model, window, stride, LOGITS_BUDGET / Math.max(1, model.vocabSize()));
    }

    /** As {@link #Scorer(LanguageModel, int, int)}, running at most {@code chunkRows} positions per forward call. */
    Scorer(LanguageModel model, int window, int stride, int chunkRows) {
        this.model = Objects.requireNonNull(model, "model");
        if (window < 2 || window > model.contextLength()) {
            throw new IllegalArgumentException("window must be in [2, " + model.contextLength() + "] (the context), got " + window);
        }
        if (stride < 1 || stride >= window) {
            throw new IllegalArgumentException("stride must be in [1, " + window + ") (below the window, or targets at window"
                    + " starts would go unscored), got " + stride);
        }
        this.window = window;
        this.stride = stride;
        int vocab = model.vocabSize();
        this.chunk = Math.max(1, Math.min(window, chunkRows));
        this.logits = new float[Math.multiplyExact(chunk, vocab)];
        this.lastLogits = new float[vocab];
    }

    /**
     * Scores {@code text} encoded with the model's tokenizer.
     *
     * @throws IllegalStateException if the model has no tokenizer
     */
    public Score score(String text) {
        Tokenizer tokenizer = model.tokenizer().orElseThrow(() -> new IllegalStateException(
                "the model has no tokenizer: score ids instead"));
        return score(tokenizer.encode(text));
    }

    /**
     * Scores {@code ids} as the class comment defines.
     *
     * @throws IllegalArgumentException if there are fewer than 2 ids or one is outside the vocabulary
     */
    public Score score(int[] ids) {
        int n = ids.length;
        if (n < 2) {
            throw new IllegalArgumentException("scoring needs at least 2 tokens (the first is only context), got " + n);
        }
        int vocab = model.vocabSize();
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[i] + " at index " + i + " is outside the vocabulary of "
                        + vocab);
            }
        }
        Session session = model.newSession();
        double sum = 0;
        int targets = 0;
        int windows = 0;
        int prevEnd = 0;
        for (int begin = 0; ; begin += stride) {
            int end = Math.min(begin + window, n);
            int first = Math.max(prevEnd, begin + 1);
            session.reset();
            // the tokens before first - 1 are context only: run them without keeping their logits
            if (first - 1 > begin) {
                model.forward(session, ids, begin, first - 1 - begin, lastLogits);
            }
            // position q's logits score target q + 1; the window's last token needs no logits
            for (int q = first - 1, rows; q < end - 1; q += rows) {
                rows = Batch.nextChunk(end - 1 - q, chunk);
                model.forwardAll(session, ids, q, rows, logits);
                for (int r = 0; r < rows; r++) {
                    sum += negativeLogLikelihood(logits, r * vocab, vocab, ids[q + 1 + r]);
                    targets++;
                }
            }
            windows++;
            prevEnd = end;
            if (end == n) {
                break;
            }
        }
        double loss = sum / targets;
        return new Score(n, targets, windows, loss, Math.exp(loss));
    }

    /** {@code -log softmax(row)[target]} for the row at {@code offset}, in double with the max subtracted. */
    static double negativeLogLikelihood(float[] logits, int offset, int vocab, int target) {
        return LogSoftmax.logSumExp(logits, offset, vocab) - logits[offset + target];
    }

    /** The window length. */
    public int window() {
        return window;
    }

    /** The stride between window starts. */
    public int stride() {
        return stride;
    }

    /**
     * A score.
     *
     * @param tokens how many ids were scored (n)
     * @param targets how many predictions were scored (n - 1)
     * @param windows how many windows ran
     * @param loss mean cross-entropy, in nats
     * @param perplexity {@code exp(loss)}
     */
    public record Score(int tokens, int targets, int windows, double loss, double perplexity) {
    }
}
