package io.github.vectorlm.tensor.ops;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared Vector API building blocks: species, loads of F32/F16/BF16 weights widened in registers,
 * and math (horizontal sum, exp, erf) built only from lane-wise IEEE operations.
 *
 * <p>Why lane-wise only: {@code reduceLanes(ADD)} and {@code lanewise(EXP)} may give different
 * bits in the interpreter, C1 and C2 (the reduction order and the exp implementation are left
 * open), and during warm-up two threads may run one kernel in different tiers. Kernels promise
 * results that do not depend on the thread count, so every floating-point step here is a plain
 * add, multiply or fused multiply-add whose result is fixed by IEEE 754.
 */
final class Simd {
    /** Floats per vector: the widest the CPU does well (16 on AVX-512). */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts of one float vector's lanes: half its width. */
    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(
            VectorShape.forBitSize(F.vectorBitSize() / 2));

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Rotations by L/2, L/4, ..., 1 lanes: the fixed tree of {@link #sum}. */
    private static final VectorShuffle<Float>[] HALVES = halves();

    private Simd() {
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int levels = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] shuffles = new VectorShuffle[levels];
        for (int i = 0, width = L / 2; i < levels; i++, width /= 2) {
            shuffles[i] = VectorShuffle.iota(F, width, 1, true);
        }
        return shuffles;
    }

    /** Sum of the lanes in a fixed pairwise order, so the result is the same in every JIT tier. */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> s : HALVES) {
            v = v.add(v.rearrange(s));
        }
        return v.lane(0);
    }

    /** Largest lane; NaN if a lane is NaN. Exact, so any order gives the same result. */
    static float max(FloatVector v) {
        return v.reduceLanes(VectorOperators.MAX);
    }

    /** L BF16 elements at byte {@code offset}, widened exactly (a BF16 is the top half of an F32). */
    static FloatVector loadBf16(MemorySegment segment, long offset) {
        ShortVector h = ShortVector.fromMemorySegment(S, segment, offset, LE);
        IntVector i = (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
        return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** L F32 elements at byte {@code offset}. */
    static FloatVector loadF32(MemorySegment segment, long offset) {
        return FloatVector.fromMemorySegment(F, segment, offset, LE);
    }

    /**
     * L F16 elements at byte {@code offset}, widened exactly in registers: sign, exponent and
     * mantissa are moved into place in an F32 whose exponent bias is 112 too small, and one exact
     * multiply by 2^112 rebiases normals and normalises subnormals; infinities and NaNs (exponent
     * 31) get the all-ones exponent instead. Eight vector operations.
     */
    static FloatVector loadF16(MemorySegment segment, long offset) {
        ShortVector h = ShortVector.fromMemorySegment(S, segment, offset, LE);
        IntVector i = (IntVector) h.convertShape(VectorOperators.S2I, I, 0); // sign-extended: bit 31 is the sign
        IntVector bits = i.lanewise(VectorOperators.LSHL, 13).and(0x8fffe000);
        IntVector scaled = bits.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> infOrNan = i.and(0x7c00).compare(VectorOperators.EQ, 0x7c00);
        return scaled.blend(bits.or(0x7f800000), infOrNan).reinterpretAsFloats();
    }

    // ---- transcendental functions from lane-wise arithmetic ----

    /** A vector of {@code value} in every lane. */
    static FloatVector bc(float value) {
        return FloatVector.broadcast(F, value);
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final float EXP_MAX = 88.72283905206835f;
    private static final float EXP_MIN = -87.33654475055310f;

    /**
     * e^x to about 2 ulp for x in [-87.33, 88.72]; 0 below (so exp(-∞) = 0, as a softmax mask
     * needs; true results there are subnormal), +∞ above, NaN for NaN. Cody–Waite reduction
     * x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r (the classic Cephes
     * single-precision minimax coefficients), then scaling by 2^n in two exact halves so that
     * n = 128 does not overflow the exponent field.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(EXP_MIN).min(EXP_MAX);
        // t's low mantissa bits hold round(x·log2 e) + 2^22
        FloatVector t = clamped.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND_MAGIC));
        FloatVector r = n.fma(bc(-LN2_HI), clamped);
        r = n.fma(bc(-LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, bc(8.3334519073e-3f));
        p = p.fma(r, bc(4.1665795894e-2f));
        p = p.fma(r, bc(1.6666665459e-1f));
        p = p.fma(r, bc(5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector scaleA = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scaleB = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector result = p.mul(scaleA).mul(scaleB);
        result = result.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
        return result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX));
    }

    // erf(x)/x = P(x²) on |x| < 1: least-squares fit (Chebyshev nodes) of degree 6 in x², error 1.3e-9.
    private static final float[] ERF_SMALL = {
        7.932827553e-05f, -8.034634975e-04f, 5.191192620e-03f, -2.685538450e-02f,
        1.128362531e-01f, -3.761262983e-01f, 1.128379167e+00f,
    };
    // erfc(a)·e^(a²) = Q(t), t = 1/(1 + a/2), on 1 ≤ a ≤ 9.3 (beyond, e^(−a²) underflows): relative
    // least-squares fit of degree 9 in t, relative error 1.8e-9. Both fits: tools/fit_erf.py.
    private static final float[] ERFC_LARGE = {
        -6.444881717e-02f, 3.161827368e-01f, -5.577433307e-01f, 3.607512371e-01f, -8.385696074e-02f,
        2.271516689e-01f, 2.366237725e-01f, 2.834018728e-01f, 2.819981314e-01f, 3.140984427e-06f,
    };

    private static FloatVector horner(float[] c, FloatVector z) {
        FloatVector r = bc(c[0]);
        for (int k = 1; k < c.length; k++) {
            r = r.fma(z, bc(c[k]));
        }
        return r;
    }

    /** erfc(a) for a ≥ 1 (lanes below 1 are computed but meaningless), relative error about 1e-6. */
    private static FloatVector erfcLarge(FloatVector a) {
        FloatVector t = bc(1f).div(a.fma(bc(0.5f), bc(1f)));
        return horner(ERFC_LARGE, t).mul(exp(a.mul(a).neg()));
    }

    /**
     * erf(x), absolute error below 2e-7 and relative error below 4e-7 everywhere: x·P(x²) for
     * |x| &lt; 1 (no cancellation near 0, unlike the Abramowitz–Stegun formula), 1 − erfc(|x|)
     * with the sign restored beyond.
     */
    static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector small = x.mul(horner(ERF_SMALL, x.mul(x)));
        FloatVector large = bc(1f).sub(erfcLarge(a)).min(1f);
        IntVector sign = x.reinterpretAsInts().and(0x80000000);
        large = large.reinterpretAsInts().or(sign).reinterpretAsFloats();
        return small.blend(large, a.compare(VectorOperators.GE, 1f));
    }

    /**
     * The standard normal CDF Φ(x) = ½·erfc(−x/√2), to a few ulp for x ≥ −3 and 4e-6 relative
     * down to x = −6: the lower tail comes from erfc directly, never as the difference 1 + erf
     * (which loses every digit there).
     */
    static FloatVector normalCdf(FloatVector x) {
        FloatVector z = x.mul(0.70710678118654752f);
        FloatVector a = z.abs();
        FloatVector small = z.mul(horner(ERF_SMALL, z.mul(z))).fma(bc(0.5f), bc(0.5f));
        FloatVector halfTail = erfcLarge(a).mul(0.5f);
        FloatVector large = halfTail.blend(bc(1f).sub(halfTail), z.compare(VectorOperators.GT, 0f));
        return small.blend(large, a.compare(VectorOperators.GE, 1f));
    }
}
