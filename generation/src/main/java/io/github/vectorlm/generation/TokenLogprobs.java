package io.github.vectorlm.generation;

import java.util.Arrays;
import java.util.Objects;

/**
 * The model's log-probabilities at one position: the natural log of the softmax of the raw
 * logits — before logit bias, penalties, temperature, top-k or top-p — for the token that came
 * next, and for the most likely tokens there. These are the numbers {@link Scorer} sums: the
 * token's {@code logprob} is minus its cross-entropy.
 *
 * <p>The arrays are the record's own copies; the accessors return copies too.
 *
 * @param id the token at this position (generated, or the prompt's)
 * @param logprob its log-probability
 * @param topIds the most likely ids, most likely first (ties: lower id first); may be empty
 * @param topLogprobs their log-probabilities, in the same order
 */
public record TokenLogprobs(int id, double logprob, int[] topIds, double[] topLogprobs) {
    /** Checks and copies the arrays. */
    public TokenLogprobs {
        topIds = topIds.clone();
        topLogprobs = topLogprobs.clone();
        if (topIds.length != topLogprobs.length) {
            throw new IllegalArgumentException(topIds.length + " top ids but " + topLogprobs.length + " log-probabilities");
        }
    }

    /**
     * The most likely ids.
     *
     * @return a copy
     */
    @Override
    public int[] topIds() {
        return topIds.clone();
    }

    /**
     * The log-probabilities of {@link #topIds()}.
     *
     * @return a copy
     */
    @Override
    public double[] topLogprobs() {
        return topLogprobs.clone();
    }

    /**
     * The log-probabilities of the row {@code logits[offset .. offset + vocab)} for {@code id} and
     * the {@code top} most likely ids.
     */
    static TokenLogprobs of(float[] logits, int offset, int vocab, int id, int top) {
        double logSumExp = LogSoftmax.logSumExp(logits, offset, vocab);
        int n = Math.min(Math.max(top, 0), vocab);
        int[] ids = new int[n];
        float[] best = new float[n];
        int kept = 0;
        for (int i = 0; i < vocab && n > 0; i++) {
            float l = logits[offset + i];
            if (kept == n && !(l > best[n - 1])) {
                continue;
            }
            int at = kept == n ? n - 1 : kept++;
            while (at > 0 && l > best[at - 1]) { // strictly greater: an equal logit keeps the lower id first
                best[at] = best[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }
            best[at] = l;
            ids[at] = i;
        }
        double[] logprobs = new double[n];
        for (int k = 0; k < n; k++) {
            logprobs[k] = best[k] - logSumExp;
        }
        return new TokenLogprobs(id, logits[offset + id] - logSumExp, ids, logprobs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenLogprobs t && id == t.id && Double.compare(logprob, t.logprob) == 0
                && Arrays.equals(topIds, t.topIds) && Arrays.equals(topLogprobs, t.topLogprobs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, logprob, Arrays.hashCode(topIds), Arrays.hashCode(topLogprobs));
    }

    @Override
    public String toString() {
        return "TokenLogprobs[id=" + id + ", logprob=" + logprob + ", topIds=" + Arrays.toString(topIds)
                + ", topLogprobs=" + Arrays.toString(topLogprobs) + "]";
    }
}
