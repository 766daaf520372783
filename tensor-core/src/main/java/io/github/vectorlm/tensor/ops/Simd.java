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
 * and math (horizontal sum, exp) built only from lane-wise IEEE operations.
 *
 * <p>Why lane-wise only: {@code reduceLanes(ADD)} and {@code lanewise(EXP)} may give different
 * bits in the interpreter, C1 and C2 (the reduction order and the exp implementation are left
 * open), and during warm-up two threads may run one kernel in different tiers. Kernels promise
 * results that do not depend on the thread count, so every floating-point step here is a plain
 * add, multiply or fused multiply-add whose result is fixed by IEEE 754.
 *
 * <p>How to call these: a helper that takes or returns a vector is fast only when C2 inlines it,
 * and C2 stops inlining once the calling method's graph is large (each Vector API operation parses
 * into many nodes) — the call left behind boxes every vector on the heap, several times slower and
 * allocating. So kernels keep the methods that use {@link #exp} or the 16-bit loads small, pass
 * arrays rather than vectors between their own methods, and {@code SteadyStateAllocationTest}
 * checks that no kernel allocates once compiled.
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

    /**
     * Sum of {@code lanes[0 .. L)} in the same order as {@link #sum}, in scalar code (no vector
     * operations, so it costs nothing of C2's inlining budget). Overwrites the array.
     */
    static float sumLanes(float[] lanes) {
        return sumLanes(lanes, L);
    }

    /**
     * Sum of {@code lanes[0 .. count)}, {@code count} a power of two, in the fixed pairwise order
     * of a lane tree of that width ({@link #sum} for {@code count = L}; {@code Gemv}'s 256-bit sum
     * for its width). Scalar code; overwrites the array.
     */
    static float sumLanes(float[] lanes, int count) {
        for (int width = count / 2; width >= 1; width /= 2) {
            for (int j = 0; j < width; j++) {
                lanes[j] += lanes[j + width];
            }
        }
        return lanes[0];
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

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND_MAGIC = 12582912f;
    /** Above ln(FLT_MAX)·(1 + a little): the scaling overflows to +∞ by itself. */
    private static final float EXP_HIGH = 88.8f;
    /** Below ln(2^-150): the scaling underflows to 0 by itself (subnormal results are rounded correctly). */
    private static final float EXP_LOW = -104f;

    /**
     * e^x to about 1 ulp (subnormal results correctly rounded): Cody–Waite reduction
     * x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r (the classic Cephes
     * single-precision minimax coefficients), then scaling by 2^n in two exact halves, so that
     * n = 128 overflows to +∞ and n ≤ −127 underflows gradually instead of wrapping the exponent
     * field. x is first clamped to [−104, 88.8], where the result is already 0 or +∞, so
     * exp(−∞) = 0 (as a softmax mask needs), exp(+∞) = +∞, and NaN stays NaN.
     *
     * <p>About 24 vector operations. C2 inlines a vector-valued helper only while the caller's
     * graph is small, so call it from a method that does little else (see {@link #expInPlace}).
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(EXP_LOW).min(EXP_HIGH);
        // t's low mantissa bits hold round(x·log2 e) + 2^22
        FloatVector t = clamped.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUND_MAGIC));
        FloatVector n = t.sub(ROUND_MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND_MAGIC));
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), clamped);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(F, 1.9875691500e-4f), FloatVector.broadcast(F, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(F, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(F, 5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector scaleA = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scaleB = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scaleA).mul(scaleB);
    }

    /** {@code a[i] = exp(a[i])} for {@code i} in {@code [from, from + n)}, {@code n} a multiple of L. */
    static void expInPlace(float[] a, int from, int n) {
        for (int i = from; i < from + n; i += L) {
            exp(FloatVector.fromArray(F, a, i)).intoArray(a, i);
        }
    }
}
