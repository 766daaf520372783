package io.github.vectorlm.tensor.ops;

/**
 * Causal multi-head attention of new queries against a KV cache.
 *
 * <p>Layouts: queries and output are [nNew, nHeads, headDim]; the cache holds keys and values
 * [capacity, nHeads, headDim] for positions {@code 0 .. startPosition + nNew - 1} (the new
 * positions' keys and values already written). Query {@code i} is at position
 * {@code startPosition + i} and sees every position up to and including its own.
 */
public final class Attention {
    private Attention() {
    }

    /** Floats of scratch {@link #causal} needs for a cache of {@code capacity} positions. */
    public static int scratchSize(int capacity, Parallel parallel) {
        return Math.multiplyExact(capacity, parallel.threads());
    }

    /**
     * {@code out = softmax(q·Kᵀ/√headDim + causal mask)·V} per head, f32 throughout; at most one
     * row of scores per thread is materialised, in {@code scratch} (of {@link #scratchSize} floats).
     */
    public static void causal(float[] out, int outOffset, float[] q, int qOffset, int nNew, int startPosition,
            float[] keys, float[] values, int nHeads, int headDim, float[] scratch, Parallel parallel) {
        AttentionReference.causal(out, outOffset, q, qOffset, nNew, startPosition, keys, values, nHeads, headDim);
    }

    static void checkArguments(float[] out, int outOffset, float[] q, int qOffset, int nNew, int startPosition,
            float[] keys, float[] values, int nHeads, int headDim) {
        if (nNew < 0 || startPosition < 0 || nHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("attention: bad sizes nNew=" + nNew + " start=" + startPosition
                    + " heads=" + nHeads + " headDim=" + headDim);
        }
        long width = (long) nHeads * headDim;
        Elements.requireRange("attention queries", q.length, qOffset, nNew * width);
        Elements.requireRange("attention output", out.length, outOffset, nNew * width);
        Elements.requireRange("attention keys", keys.length, 0, (startPosition + nNew) * width);
        Elements.requireRange("attention values", values.length, 0, (startPosition + nNew) * width);
    }
}
