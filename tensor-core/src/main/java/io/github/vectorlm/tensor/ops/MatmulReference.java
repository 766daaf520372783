package io.github.vectorlm.tensor.ops;

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
}
