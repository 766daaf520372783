package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
        float[] scratch = Scratch.get(Scratch.PARAMS, 3 * CHUNK);
        for (int c = 0; c < n; c += CHUNK) {
            int count = Math.min(CHUNK, n - c);
            int padded = (count + L - 1) / L * L;
            float[] chunk = x;
            int at = offset + c;
            if (padded != count) { // the tail through a padded copy, so it takes the same vector path
                chunk = Scratch.get(Scratch.PARAMS2, padded);
                java.util.Arrays.fill(chunk, 0, padded, 0f);
                System.arraycopy(x, at, chunk, 0, count);
                at = 0;
            }
            geluErfPrepare(chunk, at, padded, scratch);
            Simd.expInPlace(scratch, 2 * CHUNK, padded);
            geluErfFinish(chunk, at, padded, scratch);
            if (chunk != x) {
                System.arraycopy(chunk, 0, x, offset + c, count);
            }
        }
    }

    /** Floats per pass of the three-pass GELU erf: its scratch stays in L1. */
    private static final int CHUNK = 256;

    /*
     * GELU erf is x·Φ(x), Φ(x) = ½·erfc(−x/√2). With z = x/√2: for |z| < 1, Φ = ½ + ½·z·P(z²);
     * beyond, ½·erfc(|z|) = ½·Q(t)·e^(−z²) with t = 1/(1 + |z|/2), taken from the lower tail
     * directly (never as 1 + erf, which loses every digit there) and reflected for z > 0. P and Q
     * are least-squares fits (tools/fit_erf.py). Three passes over a chunk — polynomials, exp,
     * combine — each a method that takes and returns no vectors and stays small: C2 stops inlining
     * vector helpers in large methods, and a helper left as a call boxes every vector on the heap.
     */

    /** scratch[0, n) = ½ + ½·z·P(z²); scratch[CHUNK, +n) = Q(t); scratch[2·CHUNK, +n) = −z². */
    private static void geluErfPrepare(float[] x, int from, int n, float[] scratch) {
        for (int i = 0; i < n; i += L) {
            FloatVector z = FloatVector.fromArray(F, x, from + i).mul(0.70710678118654752f);
            FloatVector z2 = z.mul(z);
            FloatVector p = z2.fma(FloatVector.broadcast(F, 7.932827553e-05f), FloatVector.broadcast(F, -8.034634975e-04f));
            p = p.fma(z2, FloatVector.broadcast(F, 5.191192620e-03f));
            p = p.fma(z2, FloatVector.broadcast(F, -2.685538450e-02f));
            p = p.fma(z2, FloatVector.broadcast(F, 1.128362531e-01f));
            p = p.fma(z2, FloatVector.broadcast(F, -3.761262983e-01f));
            p = p.fma(z2, FloatVector.broadcast(F, 1.128379167e+00f));
            z.mul(p).fma(FloatVector.broadcast(F, 0.5f), FloatVector.broadcast(F, 0.5f)).intoArray(scratch, i);
            FloatVector t = FloatVector.broadcast(F, 1f).div(z.abs().fma(FloatVector.broadcast(F, 0.5f), FloatVector.broadcast(F, 1f)));
            FloatVector q = t.fma(FloatVector.broadcast(F, -6.444881717e-02f), FloatVector.broadcast(F, 3.161827368e-01f));
            q = q.fma(t, FloatVector.broadcast(F, -5.577433307e-01f));
            q = q.fma(t, FloatVector.broadcast(F, 3.607512371e-01f));
            q = q.fma(t, FloatVector.broadcast(F, -8.385696074e-02f));
            q = q.fma(t, FloatVector.broadcast(F, 2.271516689e-01f));
            q = q.fma(t, FloatVector.broadcast(F, 2.366237725e-01f));
            q = q.fma(t, FloatVector.broadcast(F, 2.834018728e-01f));
            q = q.fma(t, FloatVector.broadcast(F, 2.819981314e-01f));
            q = q.fma(t, FloatVector.broadcast(F, 3.140984427e-06f));
            q.intoArray(scratch, CHUNK + i);
            z2.neg().intoArray(scratch, 2 * CHUNK + i);
        }
    }

    /** x = x·Φ(x) from the three scratch rows (the third now holding e^(−z²)). */
    private static void geluErfFinish(float[] x, int from, int n, float[] scratch) {
        for (int i = 0; i < n; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, from + i);
            FloatVector small = FloatVector.fromArray(F, scratch, i);
            FloatVector halfTail = FloatVector.fromArray(F, scratch, CHUNK + i)
                    .mul(FloatVector.fromArray(F, scratch, 2 * CHUNK + i)).mul(0.5f);
            FloatVector large = halfTail.blend(FloatVector.broadcast(F, 1f).sub(halfTail), v.compare(VectorOperators.GT, 0f));
            // |z| ≥ 1 ⇔ |x| ≥ √2
            FloatVector cdf = small.blend(large, v.abs().compare(VectorOperators.GE, 1.41421356237309505f));
            v.mul(cdf).intoArray(x, from + i);
        }
    }

    /**
     * GELU's tanh approximation, {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}: GPT-2's
     * {@code gelu_new}, PyTorch's {@code approximate="tanh"}. Evaluated as the equal
     * {@code x / (1 + e^(−2u))}, which needs one exp and no cancellation.
     */
    public static void geluTanh(float[] x, int offset, int n) {
        Elements.requireRange("gelu", x.length, offset, n);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            geluTanhVector(x, offset + i);
        }
        if (i < n) {
            float[] tail = Scratch.get(Scratch.PARAMS, L);
            System.arraycopy(x, offset + i, tail, 0, n - i);
            geluTanhVector(tail, 0);
            System.arraycopy(tail, 0, x, offset + i, n - i);
        }
    }

    /** GELU tanh of the L floats at {@code a[i]}, in place (one method, no vector-valued calls but exp). */
    private static void geluTanhVector(float[] a, int i) {
        FloatVector v = FloatVector.fromArray(F, a, i);
        FloatVector cube = v.mul(v).mul(v);
        FloatVector u = cube.fma(FloatVector.broadcast(F, KAPPA), v).mul(SQRT_2_OVER_PI);
        FloatVector e = Simd.exp(u.mul(-2f));
        v.div(e.add(1f)).intoArray(a, i);
    }
}
