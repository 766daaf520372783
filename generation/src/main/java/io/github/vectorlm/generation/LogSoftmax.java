package io.github.vectorlm.generation;

/** The one log-softmax of the library: {@link Scorer}, the engine and {@link TokenLogprobs} share it. */
final class LogSoftmax {
    private LogSoftmax() {
    }

    /**
     * {@code log(sum(exp(row)))} of {@code logits[offset .. offset + vocab)}, in double with the
     * largest logit subtracted; {@code logit - logSumExp} is a log-probability.
     */
    static double logSumExp(float[] logits, int offset, int vocab) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp((double) logits[offset + i] - max);
        }
        return max + Math.log(sum);
    }
}
