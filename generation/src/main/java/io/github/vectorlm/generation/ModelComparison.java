package io.github.vectorlm.generation;

import java.util.Objects;

/**
 * How far a model's predictions are from a reference model's on the same tokens: the measures
 * llama.cpp's {@code llama-perplexity --kl-divergence} reports for its quantization types. The
 * usual use is a quantized model against the same weights as stored.
 *
 * <pre>{@code
 * ModelComparison.Result r = new ModelComparison(reference, quantized, 256, 128).compare(ids);
 * System.out.printf("KL %.5f, same top token %.1f%%, perplexity ×%.4f%n",
 *         r.meanKlDivergence(), 100 * r.sameTopToken(), r.perplexityRatio());
 * }</pre>
 *
 * <p><b>Definition.</b> The targets and windows are {@link Scorer}'s (each target {@code p} in
 * {@code [1, n)} scored once, by the first window that ends after it, both models run on exactly
 * the same windows). For each target, with {@code P = softmax(reference logits at p - 1)} and
 * {@code Q = softmax(model logits at p - 1)} in double precision:
 * <ul>
 *   <li>KL divergence {@code KL(P ‖ Q) = Σ_v P(v)·(log P(v) − log Q(v))}, in nats, averaged over the
 *       targets (also its maximum);
 *   <li>same top token: the fraction of targets where the two arg-maxes agree (ties to the lower id);
 *   <li>perplexity of each model on the text ({@link Scorer}'s loss, exp of the mean cross-entropy),
 *       and their ratio model / reference.
 * </ul>
 * Not thread-safe (one comparison per thread).
 */
public final class ModelComparison {
    /** Logits held at once per model: rows of vocabSize floats, about 16 MB. */
    private static final int LOGITS_BUDGET = 1 << 22;

    private final LanguageModel reference;
    private final LanguageModel model;
    private final int window;
    private final int stride;
    private final int chunk;
    private final float[] referenceLogits;
    private final float[] modelLogits;
    private final float[] lastLogits;

    /**
     * A comparison of {@code model} with {@code reference} in windows of {@code window} tokens every
     * {@code stride}.
     *
     * @throws IllegalArgumentException if the vocabularies differ, or unless
     *     {@code 2 <= window <= both contexts} and {@code 1 <= stride < window}
     */
    public ModelComparison(LanguageModel reference, LanguageModel model, int window, int stride) {
        this.reference = Objects.requireNonNull(reference, "reference");
        this.model = Objects.requireNonNull(model, "model");
        if (reference.vocabSize() != model.vocabSize()) {
            throw new IllegalArgumentException("the models' vocabularies differ: " + reference.vocabSize() + " and "
                    + model.vocabSize() + " tokens");
        }
        int context = Math.min(reference.contextLength(), model.contextLength());
        if (window < 2 || window > context) {
            throw new IllegalArgumentException("window must be in [2, " + context + "] (the context), got " + window);
        }
        if (stride < 1 || stride >= window) {
            throw new IllegalArgumentException("stride must be in [1, " + window + "), got " + stride);
        }
        this.window = window;
        this.stride = stride;
        int vocab = model.vocabSize();
        this.chunk = Math.max(1, Math.min(window, LOGITS_BUDGET / Math.max(1, vocab)));
        this.referenceLogits = new float[Math.multiplyExact(chunk, vocab)];
        this.modelLogits = new float[referenceLogits.length];
        this.lastLogits = new float[vocab];
    }

    /**
     * Compares the two models on {@code ids}.
     *
     * @param ids the tokens, at least 2
     * @return the measures
     * @throws IllegalArgumentException if there are fewer than 2 ids or one is outside the vocabulary
     */
    public Result compare(int[] ids) {
        int n = ids.length;
        if (n < 2) {
            throw new IllegalArgumentException("comparing needs at least 2 tokens (the first is only context), got " + n);
        }
        int vocab = model.vocabSize();
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[i] + " at index " + i
                        + " is outside the vocabulary of " + vocab);
            }
        }
        Session referenceSession = reference.newSession();
        Session modelSession = model.newSession();
        double klSum = 0;
        double klMax = 0;
        double referenceNll = 0;
        double modelNll = 0;
        int sameTop = 0;
        int targets = 0;
        int prevEnd = 0;
        for (int begin = 0; ; begin += stride) {
            int end = Math.min(begin + window, n);
            int first = Math.max(prevEnd, begin + 1);
            referenceSession.reset();
            modelSession.reset();
            if (first - 1 > begin) {
                reference.forward(referenceSession, ids, begin, first - 1 - begin, lastLogits);
                model.forward(modelSession, ids, begin, first - 1 - begin, lastLogits);
            }
            for (int q = first - 1, rows; q < end - 1; q += rows) {
                rows = Batch.nextChunk(end - 1 - q, chunk);
                reference.forwardAll(referenceSession, ids, q, rows, referenceLogits);
                model.forwardAll(modelSession, ids, q, rows, modelLogits);
                for (int r = 0; r < rows; r++) {
                    int at = r * vocab;
                    double kl = klDivergence(referenceLogits, modelLogits, at, vocab);
                    klSum += kl;
                    klMax = Math.max(klMax, kl);
                    if (argmax(referenceLogits, at, vocab) == argmax(modelLogits, at, vocab)) {
                        sameTop++;
                    }
                    int target = ids[q + 1 + r];
                    referenceNll += Scorer.negativeLogLikelihood(referenceLogits, at, vocab, target);
                    modelNll += Scorer.negativeLogLikelihood(modelLogits, at, vocab, target);
                    targets++;
                }
            }
            prevEnd = end;
            if (end == n) {
                break;
            }
        }
        double referencePerplexity = Math.exp(referenceNll / targets);
        double modelPerplexity = Math.exp(modelNll / targets);
        return new Result(targets, klSum / targets, klMax, (double) sameTop / targets, referencePerplexity,
                modelPerplexity, modelPerplexity / referencePerplexity);
    }

    /** {@code KL(softmax(p) ‖ softmax(q))} of the rows at {@code offset}, in double. */
    static double klDivergence(float[] p, float[] q, int offset, int vocab) {
        double pLogZ = logSumExp(p, offset, vocab);
        double qLogZ = logSumExp(q, offset, vocab);
        double kl = 0;
        for (int i = 0; i < vocab; i++) {
            double logP = p[offset + i] - pLogZ;
            double logQ = q[offset + i] - qLogZ;
            kl += Math.exp(logP) * (logP - logQ);
        }
        return Math.max(0, kl);
    }

    private static double logSumExp(float[] x, int offset, int vocab) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, x[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp((double) x[offset + i] - max);
        }
        return max + Math.log(sum);
    }

    private static int argmax(float[] x, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (x[offset + i] > x[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The measures of one comparison.
     *
     * @param targets how many predictions were compared (n − 1)
     * @param meanKlDivergence mean of {@code KL(reference ‖ model)} over the targets, nats
     * @param maxKlDivergence its largest value
     * @param sameTopToken fraction of targets where both models' most likely token is the same
     * @param referencePerplexity the reference's perplexity on the text
     * @param perplexity the model's perplexity on the text
     * @param perplexityRatio {@code perplexity / referencePerplexity}
     */
    public record Result(int targets, double meanKlDivergence, double maxKlDivergence, double sameTopToken,
            double referencePerplexity, double perplexity, double perplexityRatio) {
    }
}
