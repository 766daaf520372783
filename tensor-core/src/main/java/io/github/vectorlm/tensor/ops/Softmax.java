package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

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
        int bound = F.loopBound(n);
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += L) {
            maxV = maxV.max(FloatVector.fromArray(F, x, offset + i));
        }
        float max = Simd.max(maxV);
        for (; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        FloatVector sumV = FloatVector.zero(F);
        for (i = 0; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector e = Simd.exp(FloatVector.fromArray(F, x, offset + i, m).sub(max));
            e.intoArray(x, offset + i, m);
            sumV = sumV.add(e, m);
        }
        float inv = 1f / Simd.sum(sumV);
        for (i = 0; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector.fromArray(F, x, offset + i, m).mul(inv).intoArray(x, offset + i, m);
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
