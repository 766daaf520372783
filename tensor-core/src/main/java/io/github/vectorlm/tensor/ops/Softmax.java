package io.github.vectorlm.tensor.ops;

/** Numerically stable softmax, in place. */
public final class Softmax {
    private Softmax() {
    }

    /** {@code x[i] = exp(x[i] - max) / Σ exp(x[j] - max)} over {@code n} floats from {@code offset}. */
    public static void softmax(float[] x, int offset, int n) {
        SoftmaxReference.softmax(x, offset, n);
    }

    /**
     * Causally masked softmax over a [rows, cols] block: row {@code r} sees its first
     * {@code firstRowLength + r} entries (the rest are masked, as PyTorch's {@code -inf} mask
     * does, and set to 0).
     */
    public static void causal(float[] x, int offset, int rows, int cols, int firstRowLength) {
        SoftmaxReference.causal(x, offset, rows, cols, firstRowLength);
    }

    static void checkCausal(float[] x, int offset, int rows, int cols, int firstRowLength) {
        if (firstRowLength < 1 || firstRowLength + rows - 1 > cols) {
            throw new IllegalArgumentException("causal softmax: " + rows + " rows starting at visible length "
                    + firstRowLength + " do not fit " + cols + " columns");
        }
        Elements.requireRange("causal softmax", x.length, offset, (long) rows * cols);
    }
}
