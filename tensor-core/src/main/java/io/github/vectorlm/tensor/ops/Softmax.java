package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Numerically stable softmax, in place. */
public final class Softmax {
    private Softmax() {
    }

    /**
     * {@code x[i] = exp(x[i] - max) / Σ exp(x[j] - max)} over {@code n} floats from {@code offset}.
     * A {@code -∞} entry becomes 0; a row that is all {@code -∞} becomes NaN, as in PyTorch.
     */
    public static void softmax(float[] x, int offset, int n) {
        Elements.requireRange("softmax", x.length, offset, n);
        if (n == 0) {
            return;
        }
        float max = max(x, offset, n);
        float inv = 1f / expAndSum(x, offset, n, max);
        scale(x, offset, n, inv);
    }

    // Three passes, three small methods that take and return no vectors: each fits C2's inlining
    // budget whole, and no vector is ever boxed at a call.

    private static float max(float[] x, int offset, int n) {
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            maxV = maxV.max(FloatVector.fromArray(F, x, offset + i));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX); // exact: any order gives the same
        for (; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        return max;
    }

    /**
     * {@code x[i] = exp(x[i] − max)}; returns their sum: vector lane partials in a fixed tree, then
     * the tail (fewer than L floats, scalar exp) in order.
     */
    private static float expAndSum(float[] x, int offset, int n, float max) {
        float[] lanes = Scratch.lanes();
        int bound = F.loopBound(n);
        expAccumulate(x, offset, bound, max, lanes);
        float sum = Simd.sumLanes(lanes);
        for (int i = bound; i < n; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        return sum;
    }

    /** {@code x[i] = exp(x[i] − max)} for a multiple of L floats; their lane partial sums into {@code lanes}. */
    private static void expAccumulate(float[] x, int from, int n, float max, float[] lanes) {
        FloatVector sum = FloatVector.zero(F);
        for (int i = from; i < from + n; i += L) {
            FloatVector e = Simd.exp(FloatVector.fromArray(F, x, i).sub(max));
            e.intoArray(x, i);
            sum = sum.add(e);
        }
        sum.intoArray(lanes, 0);
    }

    private static void scale(float[] x, int offset, int n, float factor) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, offset + i).mul(factor).intoArray(x, offset + i);
        }
        for (; i < n; i++) {
            x[offset + i] *= factor;
        }
    }

    /**
     * Causally masked softmax over a [rows, cols] block: row {@code r} sees its first
     * {@code firstRowLength + r} entries (the rest are masked, as PyTorch's {@code -inf} mask
     * does, and set to 0).
     */
    public static void causal(float[] x, int offset, int rows, int cols, int firstRowLength) {
        checkCausal(x, offset, rows, cols, firstRowLength);
        for (int r = 0; r < rows; r++) {
            int visible = firstRowLength + r;
            int row = offset + r * cols;
            softmax(x, row, visible);
            java.util.Arrays.fill(x, row + visible, row + cols, 0f);
        }
    }

    static void checkCausal(float[] x, int offset, int rows, int cols, int firstRowLength) {
        if (rows < 0 || firstRowLength < 1 || (long) firstRowLength + rows - 1 > cols) {
            throw new IllegalArgumentException("causal softmax: " + rows + " rows starting at visible length "
                    + firstRowLength + " do not fit " + cols + " columns");
        }
        Elements.requireRange("causal softmax", rows, cols, x.length, offset, (long) rows * cols);
    }
}
