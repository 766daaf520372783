package io.github.vectorlm.tensor.ops;

/** Scalar twin of {@link Softmax}. */
public final class SoftmaxReference {
    private SoftmaxReference() {
    }

    /** Same contract as {@link Softmax#softmax}: max-subtracted exponentials summed in f32. */
    public static void softmax(float[] x, int offset, int n) {
        Elements.requireRange("softmax", x.length, offset, n);
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + n; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0f;
        for (int i = offset; i < offset + n; i++) {
            float e = (float) Math.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = offset; i < offset + n; i++) {
            x[i] *= inv;
        }
    }

    /** Same contract as {@link Softmax#causal}. */
    public static void causal(float[] x, int offset, int rows, int cols, int firstRowLength) {
        Softmax.checkCausal(x, offset, rows, cols, firstRowLength);
        for (int r = 0; r < rows; r++) {
            int visible = firstRowLength + r;
            int row = offset + r * cols;
            softmax(x, row, visible);
            java.util.Arrays.fill(x, row + visible, row + cols, 0f);
        }
    }
}
