package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.Tensor;

/** Normalisation layers. */
public final class Norms {
    private Norms() {
    }

    /**
     * LayerNorm over the last dimension, as {@code torch.nn.LayerNorm}: for each of {@code rows}
     * rows of {@code dim} floats, {@code out = (x - mean) / sqrt(var + eps) * weight + bias}, with the
     * biased variance. {@code bias} may be null (nanoGPT's {@code bias=False}). {@code out} may be
     * {@code in} at the same offset.
     */
    public static void layerNorm(float[] out, int outOffset, float[] in, int inOffset, int rows, int dim,
            Tensor weight, Tensor bias, float eps) {
        NormsReference.layerNorm(out, outOffset, in, inOffset, rows, dim, weight, bias, eps);
    }

    static void checkArguments(float[] out, int outOffset, float[] in, int inOffset, int rows, int dim,
            Tensor weight, Tensor bias) {
        Elements.requireVector("layernorm weight", weight, dim);
        if (bias != null) {
            Elements.requireVector("layernorm bias", bias, dim);
        }
        Elements.requireRange("layernorm input", in.length, inOffset, (long) rows * dim);
        Elements.requireRange("layernorm output", out.length, outOffset, (long) rows * dim);
    }
}
