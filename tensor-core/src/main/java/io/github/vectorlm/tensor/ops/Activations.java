package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** Element-wise activations, in place. */
public final class Activations {
    private static final float SQRT_2_OVER_PI = 0.79788456080286536f;
    private static final float KAPPA = 0.044715f;

    private Activations() {
    }

    /**
     * Exact GELU, {@code x·Φ(x) = 0.5·x·(1 + erf(x/√2))}: PyTorch's default {@code nn.GELU()}, GPT-NeoX.
     * Evaluated as {@code x·Φ(x)} with Φ from polynomial fits of erf and erfc: relative error
     * below 2e-6 for x ≥ −3 and below 1e-5 down to −6 (the tail comes from erfc, not from
     * {@code 1 + erf}, so it keeps its digits; PyTorch's CPU kernel, Abramowitz–Stegun 7.1.26 in
     * float, is accurate to about 5e-7 absolute).
     */
    public static void geluErf(float[] x, int offset, int n) {
        Elements.requireRange("gelu", x.length, offset, n);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(F, x, offset + i, m);
            v.mul(Simd.normalCdf(v)).intoArray(x, offset + i, m);
        }
    }

    /**
     * GELU's tanh approximation, {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}: GPT-2's
     * {@code gelu_new}, PyTorch's {@code approximate="tanh"}. Evaluated as the equal
     * {@code x / (1 + e^(−2u))}, which needs one exp and no cancellation.
     */
    public static void geluTanh(float[] x, int offset, int n) {
        Elements.requireRange("gelu", x.length, offset, n);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(F, x, offset + i, m);
            FloatVector cube = v.mul(v).mul(v);
            FloatVector u = cube.fma(Simd.bc(KAPPA), v).mul(SQRT_2_OVER_PI);
            FloatVector e = Simd.exp(u.mul(-2f));
            v.div(e.add(1f)).intoArray(x, offset + i, m);
        }
    }
}
