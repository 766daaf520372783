package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** Normalisation layers. */
public final class Norms {
    private Norms() {
    }

    /**
     * LayerNorm over the last dimension, as {@code torch.nn.LayerNorm}: for each of {@code rows}
     * rows of {@code dim} floats, {@code out = (x - mean) / sqrt(var + eps) * weight + bias}, with the
     * biased variance. {@code bias} may be null (nanoGPT's {@code bias=False}). {@code out} may be
     * {@code in} at the same offset.
     *
     * @throws IllegalArgumentException if weight or bias is not a contiguous float vector of
     *     {@code dim}, or an array is too short
     */
    public static void layerNorm(float[] out, int outOffset, float[] in, int inOffset, int rows, int dim,
            Tensor weight, Tensor bias, float eps) {
        checkArguments(out, outOffset, in, inOffset, rows, dim, weight, bias);
        int bound = F.loopBound(dim);
        float[] w = Scratch.get(Scratch.PARAMS, dim);
        Widen.tensor(weight, 0, w, 0, dim);
        float[] b = bias == null ? null : Scratch.get(Scratch.PARAMS2, dim);
        if (b != null) {
            Widen.tensor(bias, 0, b, 0, dim);
        }
        float[] lanes = Scratch.lanes();
        for (int r = 0; r < rows; r++) {
            int x = inOffset + r * dim;
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i < bound; i += L) {
                acc = acc.add(FloatVector.fromArray(F, in, x + i));
            }
            if (i < dim) {
                acc = acc.add(FloatVector.fromArray(F, in, x + i, F.indexInRange(i, dim)));
            }
            acc.intoArray(lanes, 0);
            float mean = Simd.sumLanes(lanes) / dim;
            acc = FloatVector.zero(F);
            for (i = 0; i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(F, in, x + i).sub(mean);
                acc = d.fma(d, acc);
            }
            if (i < dim) {
                VectorMask<Float> m = F.indexInRange(i, dim);
                FloatVector d = FloatVector.fromArray(F, in, x + i, m).sub(mean, m);
                acc = d.fma(d, acc);
            }
            acc.intoArray(lanes, 0);
            float invStd = (float) (1.0 / Math.sqrt(Simd.sumLanes(lanes) / dim + eps));
            int y = outOffset + r * dim;
            // (x − mean)·invStd·w + b, each step rounded as in the scalar twin
            i = 0;
            for (; i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(F, in, x + i).sub(mean).mul(invStd)
                        .mul(FloatVector.fromArray(F, w, i));
                if (b != null) {
                    v = v.add(FloatVector.fromArray(F, b, i));
                }
                v.intoArray(out, y + i);
            }
            for (; i < dim; i++) {
                float v = (in[x + i] - mean) * invStd * w[i];
                out[y + i] = b == null ? v : v + b[i];
            }
        }
    }

    static void checkArguments(float[] out, int outOffset, float[] in, int inOffset, int rows, int dim,
            Tensor weight, Tensor bias) {
        if (rows < 0 || dim < 1) {
            throw new IllegalArgumentException("layernorm: bad shape [" + rows + ", " + dim + "]");
        }
        Elements.requireVector("layernorm weight", weight, dim);
        if (bias != null) {
            Elements.requireVector("layernorm bias", bias, dim);
        }
        Elements.requireRange("layernorm input", rows, dim, in.length, inOffset, (long) rows * dim);
        Elements.requireRange("layernorm output", rows, dim, out.length, outOffset, (long) rows * dim);
    }
}
