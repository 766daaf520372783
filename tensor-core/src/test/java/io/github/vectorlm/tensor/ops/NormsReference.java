package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.Tensor;

/** Scalar twin of {@link Norms}. */
public final class NormsReference {
    private NormsReference() {
    }

    /** Same contract as {@link Norms#layerNorm}: two-pass mean and biased variance in f32. */
    public static void layerNorm(float[] out, int outOffset, float[] in, int inOffset, int rows, int dim,
            Tensor weight, Tensor bias, float eps) {
        Norms.checkArguments(out, outOffset, in, inOffset, rows, dim, weight, bias);
        for (int r = 0; r < rows; r++) {
            int x = inOffset + r * dim;
            float sum = 0f;
            for (int i = 0; i < dim; i++) {
                sum += in[x + i];
            }
            float mean = sum / dim;
            float squares = 0f;
            for (int i = 0; i < dim; i++) {
                float d = in[x + i] - mean;
                squares += d * d;
            }
            float invStd = (float) (1.0 / Math.sqrt(squares / dim + eps));
            int y = outOffset + r * dim;
            for (int i = 0; i < dim; i++) {
                float v = (in[x + i] - mean) * invStd * Elements.get(weight, i);
                out[y + i] = bias == null ? v : v + Elements.get(bias, i);
            }
        }
    }
}
