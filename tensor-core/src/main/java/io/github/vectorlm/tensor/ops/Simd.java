package io.github.vectorlm.tensor.ops;

import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared Vector API building blocks: the species, the lane sum, and exp built only from lane-wise
 * IEEE operations.
 *
 * <p>Why lane-wise only: {@code reduceLanes(ADD)} and {@code lanewise(EXP)} may give different
 * bits in the interpreter, C1 and C2 (the reduction order and the exp implementation are left
 * open), and during warm-up two threads may run one kernel in different tiers. Kernels promise
 * results that do not depend on the thread count, so every floating-point step here is a plain
 * add, multiply or fused multiply-add whose result is fixed by IEEE 754.
 *
 * <p>Two rules keep C2 from boxing vectors on the heap (several times slower, and allocating in the
 * token loop); {@code SteadyStateAllocationTest} checks the result:
 * <ul>
 *   <li>One vector shape per element type in the whole package ({@link #F}, {@link #I},
 *       {@link #S}, {@link #B}). C2 binds each Vector API call to a vector class through that JDK
 *       method's type profile, which all callers share; where two shapes of one element type run
 *       (GEMV once used 256-bit float vectors beside the 512-bit ones), the profile names both, and
 *       in some runs C2 compiled a two-way switch that boxed every vector of whichever kernel it
 *       was compiling (about one run in ten). {@code SimdTest} checks the rule.
 *   <li>No vector passes between our own methods, except into {@link #exp} from a method that
 *       does little else: C2 stops inlining once the calling method's graph is large (each Vector
 *       API operation parses into many nodes), and the call left behind boxes its vectors. Kernels
 *       sum an accumulator's lanes in place by the folds of {@link #FOLD_8} (the GEMV dot
 *       products and attention's scores, where it runs once per short row), or store it into
 *       {@link Scratch#lanes} and sum that with {@link #sumLanes}.
 * </ul>
 */
final class Simd {
    /**
     * The one vector shape: the widest the CPU does well, at most 512 bits (the lane folds below
     * go up to 16 lanes).
     */
    private static final VectorShape SHAPE = VectorShape.preferredShape().vectorBitSize() <= 512
            ? VectorShape.preferredShape() : VectorShape.S_512_BIT;
    /**
     * Vector registers the JIT can use, which decides how many accumulators a kernel may keep: 32
     * on AArch64 and where x86 has AVX-512 (the JVM's widest float vector is 512 bits), else 16
     * (AVX2, or AVX-512 hardware run with {@code -XX:UseAVX=2}).
     */
    static final int REGISTERS = registers();

    /** Floats per vector (16 on AVX-512). */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.withShape(SHAPE);
    static final int L = F.length();

    private static int registers() {
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return 32;
        }
        return FloatVector.SPECIES_MAX.vectorBitSize() >= 512 ? 32 : 16;
    }
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(SHAPE);
    /**
     * Bytes for one float vector's lanes: a quarter of its width (8 on AVX2, 16 on AVX-512), but
     * 64 bits at the least (the narrowest shape; 8 bytes, two float vectors of 4 lanes). A byte
     * vector this wide widens to floats by one {@code vpmovsxbd} from memory, where a full-width
     * byte vector needs a shuffle for each part after the first. The package's one byte shape
     * (see {@code SimdTest.everyElementTypeHasOneVectorShape}).
     */
    static final VectorSpecies<Byte> B_NARROW = ByteVector.SPECIES_PREFERRED.withShape(
            VectorShape.forBitSize(Math.max(64, F.vectorBitSize() / 4)));
    /** Shorts of one float vector's lanes: half its width. */
    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED.withShape(
            VectorShape.forBitSize(F.vectorBitSize() / 2));

    /**
     * Lane folds: {@code v.add(v.rearrange(FOLD_k))} adds lane {@code j + k} to lane {@code j}.
     * Folding by 8 (where {@code L >= 16}), 4 (where {@code L >= 8}), 2 (where {@code L >= 4}),
     * then 1 leaves in lane 0 the sum of {@link #sumLanes(float[])}, bit for bit (the same adds
     * in the same order), without the trip through memory. Kernels spell the folds out in place,
     * guarded by those constant conditions, rather than passing the vector to a helper (see the
     * class notes). In the GEMV dot products, whose rows are short, it measured against the
     * same-memory read on one core ([768, 2304], 3–4 alternating JVMs): BF16 0.83–0.86 →
     * 0.92–0.94, F16 0.76–0.83 → 0.85–0.90.
     */
    static final VectorShuffle<Float> FOLD_8 = fold(8);
    static final VectorShuffle<Float> FOLD_4 = fold(4);
    static final VectorShuffle<Float> FOLD_2 = fold(2);
    static final VectorShuffle<Float> FOLD_1 = fold(1);

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Simd() {
    }

    /**
     * Sum of {@code lanes[0 .. L)} in a fixed pairwise order (lane j plus lane j + L/2, then the
     * same over the first half, ...), so the result is the same in every JIT tier. Overwrites the
     * array.
     */
    static float sumLanes(float[] lanes) {
        return sumLanes(lanes, L);
    }

    /**
     * Sum of {@code lanes[0 .. count)}, {@code count} a power of two, in the order of
     * {@link #sumLanes(float[])}. Overwrites the array.
     */
    static float sumLanes(float[] lanes, int count) {
        for (int width = count / 2; width >= 1; width /= 2) {
            for (int j = 0; j < width; j++) {
                lanes[j] += lanes[j + width];
            }
        }
        return lanes[0];
    }

    private static VectorShuffle<Float> fold(int by) {
        return VectorShuffle.fromOp(F, j -> (j + by) % L);
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
