package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.Tensor;

/** Scalar twin of {@link Matmul}: the specification its SIMD paths are tested against. */
public final class MatmulReference {
    private MatmulReference() {
    }

    /** Same contract as {@link Matmul#linear}, one thread, plain loops, f32 accumulation in input order. */
    public static void linear(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear) {
        Matmul.checkArguments(out, outOffset, in, inOffset, rows, linear);
        int nIn = linear.in();
        int nOut = linear.out();
        boolean outIn = linear.layout() == Linear.Layout.OUT_IN;
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < nOut; o++) {
                float sum = 0f;
                for (int i = 0; i < nIn; i++) {
                    long w = outIn ? (long) o * nIn + i : (long) i * nOut + o;
                    sum += in[inOffset + r * nIn + i] * Elements.get(linear.weight(), w);
                }
                if (linear.bias() != null) {
                    sum += Elements.get(linear.bias(), o);
                }
                out[outOffset + r * nOut + o] = sum;
            }
        }
    }

    /**
     * Same contract as {@link Matmul#linear(float[], int, float[], int, int, Int8Linear, Parallel)}:
     * plain loops, integer sums in a long.
     */
    public static void linear(float[] out, int outOffset, float[] in, int inOffset, int rows, Int8Linear linear) {
        Matmul.checkArguments(out, outOffset, in, inOffset, rows, linear.source());
        int nIn = linear.in();
        int nOut = linear.out();
        float threshold = linear.threshold();
        Tensor q = linear.quantizedWeight();
        Linear source = linear.source();
        for (int r = 0; r < rows; r++) {
            int x = inOffset + r * nIn;
            boolean[] outlier = new boolean[nIn];
            for (int i = 0; i < nIn; i++) {
                outlier[i] = Math.abs(in[x + i]) > threshold;
            }
            float absmax = 0f;
            for (int i = 0; i < nIn; i++) {
                if (!outlier[i]) {
                    absmax = Math.max(absmax, Math.abs(in[x + i]));
                }
            }
            int[] qx = new int[nIn];
            for (int i = 0; i < nIn; i++) {
                qx[i] = outlier[i] || absmax == 0f ? 0 : (int) Math.rint(in[x + i] * 127f / absmax);
            }
            float rowScale = absmax / 127f;
            for (int o = 0; o < nOut; o++) {
                long dot = 0;
                for (int i = 0; i < nIn; i++) {
                    dot += q.getLong(o, i) * qx[i];
                }
                float y = (float) dot * (rowScale * linear.scale(o));
                for (int i = 0; i < nIn; i++) {
                    if (outlier[i]) {
                        long w = source.layout() == Linear.Layout.OUT_IN ? (long) o * nIn + i : (long) i * nOut + o;
                        y = Math.fma(Elements.get(source.weight(), w), in[x + i], y);
                    }
                }
                if (source.bias() != null) {
                    y += Elements.get(source.bias(), o);
                }
                out[outOffset + r * nOut + o] = y;
            }
        }
    }
}
