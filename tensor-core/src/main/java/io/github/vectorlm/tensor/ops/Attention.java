package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Causal multi-head attention of new queries against a KV cache.
 *
 * <p>Layouts: queries and output are [nNew, nHeads, headDim]; the cache holds keys and values
 * [capacity, nHeads, headDim] for positions {@code 0 .. startPosition + nNew - 1} (the new
 * positions' keys and values already written). Query {@code i} is at position
 * {@code startPosition + i} and sees every position up to and including its own.
 *
 * <p>Work is split over (query, head) pairs; each pair is computed whole by one thread, so the
 * result does not depend on the thread count.
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
     * row of scores per thread is materialised, in {@code scratch} (of {@link #scratchSize} floats
     * for a capacity of at least {@code startPosition + nNew}).
     *
     * @throws IllegalArgumentException if a size is negative, an array is too short for the
     *     shapes, or the scratch is too small
     */
    public static void causal(float[] out, int outOffset, float[] q, int qOffset, int nNew, int startPosition,
            float[] keys, float[] values, int nHeads, int headDim, float[] scratch, Parallel parallel) {
        checkArguments(out, outOffset, q, qOffset, nNew, startPosition, keys, values, nHeads, headDim);
        int positions = startPosition + nNew;
        int rowLength = scratch.length / parallel.threads();
        if (rowLength < positions) {
            throw new IllegalArgumentException("attention scratch of " + scratch.length + " floats holds "
                    + parallel.threads() + " rows of " + rowLength + " scores, but " + positions
                    + " positions need scratchSize(" + positions + ", parallel) = "
                    + (long) positions * parallel.threads());
        }
        int width = nHeads * headDim;
        float scale = (float) (1 / Math.sqrt(headDim));
        parallel.forRange(nNew * nHeads, 1, (start, end, worker) -> {
            int scores = worker * rowLength;
            for (int item = start; item < end; item++) {
                int i = item / nHeads;
                int h = item - i * nHeads;
                int query = qOffset + i * width + h * headDim;
                int head = h * headDim;
                int visible = startPosition + i + 1;
                for (int t = 0; t < visible; t++) {
                    scratch[scores + t] = dot(q, query, keys, t * width + head, headDim) * scale;
                }
                Softmax.softmax(scratch, scores, visible);
                weightedSum(out, outOffset + i * width + head, scratch, scores, visible, values, head, width,
                        headDim);
            }
        });
    }

    private static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        FloatVector acc = FloatVector.zero(F);
        int d = 0;
        for (int bound = F.loopBound(n); d < bound; d += L) {
            acc = FloatVector.fromArray(F, a, aOffset + d).fma(FloatVector.fromArray(F, b, bOffset + d), acc);
        }
        if (d < n) {
            VectorMask<Float> m = F.indexInRange(d, n);
            acc = FloatVector.fromArray(F, a, aOffset + d, m).fma(FloatVector.fromArray(F, b, bOffset + d, m), acc);
        }
        return Simd.sum(acc);
    }

    /** {@code out[d] = Σ_t p[t]·V[t, head + d]}: one FMA chain per output lane, over t in order. */
    private static void weightedSum(float[] out, int o, float[] p, int pOffset, int visible, float[] values,
            int head, int width, int headDim) {
        for (int d = 0; d < headDim; d += L) {
            VectorMask<Float> m = F.indexInRange(d, headDim);
            FloatVector acc = FloatVector.zero(F);
            int v = head + d;
            for (int t = 0; t < visible; t++, v += width) {
                acc = FloatVector.fromArray(F, values, v, m).fma(FloatVector.broadcast(F, p[pOffset + t]), acc);
            }
            acc.intoArray(out, o + d, m);
        }
    }

    static void checkArguments(float[] out, int outOffset, float[] q, int qOffset, int nNew, int startPosition,
            float[] keys, float[] values, int nHeads, int headDim) {
        if (nNew < 0 || startPosition < 0 || nHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("attention: bad sizes nNew=" + nNew + " start=" + startPosition
                    + " heads=" + nHeads + " headDim=" + headDim);
        }
        long width = (long) nHeads * headDim;
        Elements.requireRange("attention queries", nNew, nHeads, headDim, q.length, qOffset, nNew * width);
        Elements.requireRange("attention output", nNew, nHeads, headDim, out.length, outOffset, nNew * width);
        long cached = (long) startPosition + nNew;
        Elements.requireRange("attention keys", cached, nHeads, headDim, keys.length, 0, cached * width);
        Elements.requireRange("attention values", cached, nHeads, headDim, values.length, 0, cached * width);
    }
}
