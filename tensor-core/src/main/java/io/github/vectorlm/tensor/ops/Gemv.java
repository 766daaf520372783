package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * One input row times a weight matrix: the decode step. Memory-bound, so the weights are read
 * once, as few long sequential streams as possible (the hardware prefetchers keep a long stream
 * ahead; many short ones they do not), and the input row and the outputs being summed stay in
 * cache. BF16 and F16 weights are widened in registers next to the FMA that uses them, so that
 * loads stay in flight while the arithmetic runs.
 *
 * <p>Measured on one Zen 4 core (see docs/performance.md), what decided the shapes below:
 * <ul>
 *   <li>OUT_IN reads x from a cache-line-aligned copy ({@link GemvScratch#alignedCopy}), made
 *       once per call: from a float[] (whose elements start 16 bytes into a line) every 512-bit
 *       load of x straddles two lines. F32 rows went from 20 to 25 GB/s, F16 from 15–16 to 17–18
 *       (18–20 since the rebias multiply moved into that copy, see {@link #dotF16}); with x read
 *       from the float[] again, F32 [768, 2304] fell from 0.87 to 0.70 of the read bandwidth.
 *       All vectors are the preferred 512-bit ones (see {@link Simd} for why one shape only);
 *       BF16 rows are widened 16 elements at a time by sign extension and a shift, as F16 rows are.
 *   <li>Our own buffers (the copy of x, the [in, out] sums) are loaded and stored as
 *       {@link IntVector}s reinterpreted as floats, never through
 *       {@code FloatVector.fromMemorySegment}, which reads F32 weights. Why: the JIT compiles the
 *       Vector API's memory-segment access with the type profile of every segment that went
 *       through the same JDK method, in any caller. Weights are a mapped file (one segment class),
 *       our buffers arena memory (another). Where both went through {@code FloatVector}, C2
 *       compiled a loop either unrolled, with its session and bounds checks hoisted, or, in most
 *       JVM runs, not unrolled and checking the session of x before each load. Whichever it was
 *       held for the whole run. Measured with BF16 [768, 2304] rows on one core, against a read of
 *       the same mapped memory: 16–18 GB/s in most runs, 24–26 in the others. A loop that reads
 *       mapped memory through {@code FloatVector} elsewhere in the process was enough to tip it:
 *       the benchmark's own read probe did (it now reads through {@code LongVector}). Seen with
 *       {@code -Xlog:deoptimization=debug} (a {@code profile_predicate} trap in the dot product
 *       and a recompilation) and the disassembled loops. Reading the copy as ints: 0.83–0.84 of
 *       the read in every run (BF16 [768, 2304]), F32 [768, 2304] 0.86–0.87.
 *   <li>IN_OUT with narrow outputs (GPT-2's Conv1D layers; see {@link #NARROW_BYTES}) computed
 *       by one thread goes one input row at a time over all of its outputs, so the whole weight is
 *       one sequential stream; sweeping four rows at a time made four streams of a few KB each
 *       and ran at half the speed for F16, 0.6–0.8 of it for BF16.
 *   <li>F16 is widened in registers too: its bits moved into an F32 without the infinity/NaN
 *       blend (exact for finite values, the value times 2^-112), used when the weight holds no
 *       infinity or NaN (read once per weight, {@link Linear#f16Finite}), against x scaled by
 *       2^112 once per call (OUT_IN, see {@link #dotF16}) or once per input row (IN_OUT, see
 *       {@link #axpyEachRowF16}). IN_OUT once left F16 rows to plain counted loops that C2
 *       vectorizes with the hardware conversion ({@code vcvtph2ps}); C2 does not vectorize them
 *       into the aligned sums below (two native segments that might overlap), and the register
 *       conversion there measured as fast or faster. Widening a row into L1 by the hardware
 *       conversion first, then dotting, measured slower (20 → 17 GB/s in L2).
 *   <li>IN_OUT sums its outputs in a cache-line-aligned native buffer
 *       ({@link GemvScratch#zeroedSums}), copied out at the end, not in the caller's float[].
 *       F32 used to keep the float[]: with the buffer read through {@code FloatVector}, GPT-2
 *       124M f32 decoded 15 % slower (40–41 → 33–35 tokens/s), the profile effect above (F32
 *       weights and the sums through the same JDK method). Read as ints, against the same-memory
 *       read, one core: F32 [768, 2304] 0.80 → 0.93, the LM head 0.71 → 0.91–0.93, [768, 3072]
 *       0.61 → 0.74–0.75 (then 0.81–0.93 one row at a time, {@link #NARROW_BYTES}); GPT-2 124M
 *       f32 decode 41 → 45–46 tokens/s (ModelBench, one thread, alternating runs).
 *   <li>The loops over the weights keep their range checks on purpose ({@link #indexMask}).
 *   <li>OUT_IN rows of more than 4096 inputs are read two at a time, BF16/F16 four at a time
 *       ({@link #MULTI_ROW_MIN_INPUTS}).
 *   <li>IN_OUT with wide outputs (the LM head) sweeps four input rows at a time (BF16 eight,
 *       F16 sixteen: {@link #ROWS_PER_PASS}, {@link #F16_ROWS_PER_PASS}) over blocks of up to
 *       {@value #WIDE_BLOCK} outputs: the partial sums then stay in L2 and each stream is a whole
 *       row long. Shorter blocks were
 *       slower (16-bit LM head, four rows, one core, against the same-memory read: the whole
 *       width 0.69–0.76, blocks of 16384 outputs 0.62–0.64, of 4096 0.50–0.53).
 * </ul>
 *
 * <p>One method per dtype and layout, each with a single loop nest: C2 stops inlining once a
 * method's graph passes a fixed node budget, and a vector helper left as a call boxes every vector
 * on the heap.
 *
 * <p>Arithmetic, which the thread split never changes:
 * <ul>
 *   <li>OUT_IN (dot products): output {@code o} sums its row in four vector accumulators (vector
 *       {@code v} of the row goes to accumulator {@code v mod 4} up to the last whole group of four;
 *       F32's whole vectors after it go to accumulator 0), combined as (a0+a1)+(a2+a3),
 *       lanes summed in the fixed tree of {@link Simd#sumLanes} (in registers, by the folds of
 *       {@link Simd#FOLD_8}), the input tail added by scalar FMAs, then the bias;
 *   <li>IN_OUT (rows of axpy): output {@code o} is one FMA chain over {@code i} in order, starting
 *       from 0, then the bias — the same arithmetic as {@link Gemm}.
 * </ul>
 */
final class Gemv {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The aligned copy of x is read as int bits (see {@link #dotF32}). */
    private static final ValueLayout.OfInt X_BITS = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /**
     * IN_OUT: output ranges whose partial sums plus one weight row take at most this many bytes
     * (of a 32 KB L1) are summed one input row at a time, the partial sums reloaded and stored
     * once per row: F32 up to 3072 outputs, BF16/F16 up to 4096. Measured against the
     * same-memory read, one core: F32 [768, 3072] 0.73–0.77 with the wide sweep, 0.81–0.93 this
     * way; BF16/F16 [768, 3072] 0.55–0.59 with the wide sweep, 0.68–0.83 this way.
     */
    private static final int NARROW_BYTES = 24 << 10;
    /** IN_OUT: wider output ranges go in blocks of this many outputs (256 KB of partial sums, in L2). */
    private static final int WIDE_BLOCK = 65536;
    /**
     * IN_OUT, wide outputs: BF16 input rows per pass over the sums (F32 takes four). Eight
     * halve the sums' loads and stores per weight byte against four: the BF16 LM head [768, 50257]
     * went from 0.74–0.76 to 0.83 of the same-memory read on one core. {@link #axpyRowsBf16}
     * spells out that many rows; F16 takes {@link #F16_ROWS_PER_PASS}.
     */
    private static final int ROWS_PER_PASS = 8;
    /**
     * IN_OUT, wide outputs: F16 input rows per pass. F16 widens with one more operation per
     * vector than BF16, and halving the sums' loads and stores again paid for it: the F16 LM head
     * [768, 50257] on one core went from 0.78–0.83 to 0.83–0.86 of the same-memory read (4
     * alternating JVMs each); at two threads 0.78–0.96 against 0.89–0.95. BF16 stays at eight:
     * sixteen gave it +2 % on one core and −3 % on two. {@link #axpyRowsF16} spells them out.
     */
    private static final int F16_ROWS_PER_PASS = 16;

    /**
     * 2^112: an F16's bits moved into an F32 ({@code (h << 13) & 0x8fffe000}, exponent bias 15
     * left in place of 127) read as that F32 are the F16's value times 2^-112, exactly, subnormals
     * included. The F16 dot products multiply x by this once per call instead of each weight.
     */
    private static final float F16_REBIAS = 0x1p112f;
    /** Inputs at least this large (or not finite) would overflow times {@link #F16_REBIAS}: such an x takes the exact path. */
    private static final float F16_SCALED_X_LIMIT = 0x1p15f;

    private Gemv() {
    }

    /** {@code out[o] = dot(W[o, :], x) + b[o]} for {@code o} in {@code [o0, o1)}, W stored [out, in]. */
    static void outIn(float[] out, int outOffset, float[] x, int xOffset, Linear linear, int o0, int o1) {
        Tensor w = linear.weight();
        MemorySegment seg = w.segment();
        int in = linear.in();
        long rowBytes = (long) in * w.dtype().byteSize();
        long row = w.byteOffset() + o0 * rowBytes;
        switch (w.dtype()) {
            case F32 -> {
                MemorySegment xs = GemvScratch.alignedCopy(x, xOffset, in);
                int[] sink = GemvScratch.sink();
                int o = o0;
                for (; in >= MULTI_ROW_MIN_INPUTS && o + 2 <= o1; o += 2, row += 2 * rowBytes) {
                    dotTwoF32(seg, row, rowBytes, in, xs, out, outOffset + o, sink);
                }
                for (; o < o1; o++, row += rowBytes) {
                    out[outOffset + o] = dotF32(seg, row, in, xs, sink);
                }
            }
            case BF16 -> {
                MemorySegment xs = GemvScratch.alignedCopy(x, xOffset, in);
                int o = o0;
                for (; in >= MULTI_ROW_MIN_INPUTS && o + 4 <= o1; o += 4, row += 4 * rowBytes) {
                    dotFourBf16(xs, seg, row, rowBytes, in, out, outOffset + o);
                }
                for (; o < o1; o++, row += rowBytes) {
                    out[outOffset + o] = dotBf16(xs, seg, row, in);
                }
            }
            case F16 -> {
                MemorySegment xs = linear.f16Finite()
                        ? GemvScratch.alignedScaledCopy(x, xOffset, in, F16_REBIAS, F16_SCALED_X_LIMIT) : null;
                if (xs != null) {
                    int o = o0;
                    for (; in >= MULTI_ROW_MIN_INPUTS && o + 4 <= o1; o += 4, row += 4 * rowBytes) {
                        dotFourF16(xs, seg, row, rowBytes, in, out, outOffset + o);
                    }
                    for (; o < o1; o++, row += rowBytes) {
                        out[outOffset + o] = dotF16(xs, seg, row, in);
                    }
                } else {
                    for (int o = o0; o < o1; o++, row += rowBytes) {
                        out[outOffset + o] = dotF16Exact(x, xOffset, seg, row, in);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unsupported weight " + w);
        }
        addBias(out, outOffset, linear.bias(), o0, o1);
    }

    /**
     * The dot product of an F32 row with x ({@code xs}, the aligned copy, read as ints at
     * {@code i & mask}: see the class notes and {@link #indexMask}), four accumulators
     * (vector {@code v} of the row to accumulator {@code v mod 4}), combined as (a0+a1)+(a2+a3),
     * lanes summed in a fixed tree (in registers, {@link Simd#FOLD_8}), the tail added by scalar FMAs.
     *
     * <p>Each step also reads one byte of each 64 bytes it covers as a scalar and leaves their sum
     * in {@code sink}, so that C2 keeps the loads. Measured on Zen 4 with the earlier 256-bit
     * version, streaming from memory: 20–24 GB/s with them against 10–20 without on the four GPT-2
     * shapes, and 15–17 against 10 for [3072, 768] rows (12 KB); the earlier copy of each row into
     * L1 did no better. Why the
     * scalar loads help is not established (a guess: they get each line requested sooner); touching
     * lines further ahead helped less, and past 1 KB made it slower.
     */
    private static float dotF32(MemorySegment seg, long row, int n, MemorySegment xs, int[] sink) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int touched = 0;
        int mask = indexMask(n);
        int i = 0;
        for (int bound = n - n % (4 * L); i < bound; i += 4 * L) {
            long at = row + 4L * i;
            long xi = 4L * (i & mask);
            for (int line = 0; line < 16 * L; line += 64) {
                touched += seg.get(ValueLayout.JAVA_BYTE, at + line);
            }
            a0 = FloatVector.fromMemorySegment(F, seg, at, Simd.LE)
                    .fma(IntVector.fromMemorySegment(Simd.I, xs, xi, Simd.LE).reinterpretAsFloats(), a0);
            a1 = FloatVector.fromMemorySegment(F, seg, at + 4L * L, Simd.LE)
                    .fma(IntVector.fromMemorySegment(Simd.I, xs, xi + 4L * L, Simd.LE).reinterpretAsFloats(), a1);
            a2 = FloatVector.fromMemorySegment(F, seg, at + 8L * L, Simd.LE)
                    .fma(IntVector.fromMemorySegment(Simd.I, xs, xi + 8L * L, Simd.LE).reinterpretAsFloats(), a2);
            a3 = FloatVector.fromMemorySegment(F, seg, at + 12L * L, Simd.LE)
                    .fma(IntVector.fromMemorySegment(Simd.I, xs, xi + 12L * L, Simd.LE).reinterpretAsFloats(), a3);
        }
        for (; i + L <= n; i += L) {
            a0 = FloatVector.fromMemorySegment(F, seg, row + 4L * i, Simd.LE)
                    .fma(IntVector.fromMemorySegment(Simd.I, xs, 4L * (i & mask), Simd.LE).reinterpretAsFloats(), a0);
        }
        FloatVector v = a0.add(a1).add(a2.add(a3));
        if (L >= 16) {
            v = v.add(v.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(Simd.FOLD_2));
        }
        float sum = v.add(v.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            sum = Math.fma(seg.get(F32, row + 4L * i), Float.intBitsToFloat(xs.get(X_BITS, 4L * i)), sum);
        }
        sink[0] += touched;
        return sum;
    }

    /**
     * OUT_IN rows of more than this many inputs (x of over 16 KB) are read several at a time,
     * sharing each load of x: F32 two ({@link #dotTwoF32}), BF16/F16 four ({@link #dotFourBf16},
     * {@link #dotFourF16}); the rows left over one at a time. Likely x (4 bytes per input) no
     * longer stays in L1 beside the streaming weights, and its reloads from L2 take the line-fill
     * slots the weight stream needs. Against the same-memory read on one core, mapped weights:
     * <ul>
     *   <li>rows of 3072 inputs, one at a time against two: F32 0.62–0.65 against 0.56–0.58, BF16
     *       0.62–0.69 against 0.41–0.43, F16 0.65–0.68 against 0.36–0.37 (before
     *       {@link #indexMask} was applied to these loops); with the checks kept, two at a time
     *       from 64 inputs on made [768, 2304] fall from 0.82–0.90 to 0.27–0.34 for BF16 and F16;
     *   <li>rows of 10240 inputs (Pythia-2.8B's MLP output), one at a time against two: F32 0.60
     *       against 0.75–0.77, BF16 0.36–0.40 against 0.55–0.57, F16 0.33–0.36 against 0.48–0.57;
     *       four at a time against two: BF16 0.47 → 0.65, F16 0.48 → 0.63 at one thread, 0.53 →
     *       0.63 and 0.76 → 0.89 at two; 6144 inputs BF16 0.49 → 0.59 (one JVM each);
     *   <li>earlier, before the profile effect of the class notes was known: from 6144 inputs on,
     *       two at a time was the faster for every dtype (F32 8192: 0.79 against 0.67; BF16 6144:
     *       0.56–0.61 against 0.50); one at a time fell steeply past 2048 inputs (F32 15.6 GB/s at
     *       2560, 6.9 at 8192, while the same rows in L2 ran at 52).
     * </ul>
     */
    static final int MULTI_ROW_MIN_INPUTS = 4097;

    /**
     * {@link #dotF32} of rows {@code row} and {@code row + rowBytes} into {@code out[at]} and
     * {@code out[at + 1]}, read side by side; the same arithmetic for each row.
     */
    private static void dotTwoF32(MemorySegment seg, long row, long rowBytes, int n, MemorySegment xs,
            float[] out, int at, int[] sink) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        long row2 = row + rowBytes;
        int touched = 0;
        int mask = indexMask(n);
        int i = 0;
        for (int bound = n - n % (4 * L); i < bound; i += 4 * L) {
            long p = row + 4L * i;
            long q = row2 + 4L * i;
            for (int line = 0; line < 16 * L; line += 64) {
                touched += seg.get(ValueLayout.JAVA_BYTE, p + line) + seg.get(ValueLayout.JAVA_BYTE, q + line);
            }
            long xi = 4L * (i & mask);
            FloatVector x0 = IntVector.fromMemorySegment(Simd.I, xs, xi, Simd.LE).reinterpretAsFloats();
            FloatVector x1 = IntVector.fromMemorySegment(Simd.I, xs, xi + 4L * L, Simd.LE).reinterpretAsFloats();
            FloatVector x2 = IntVector.fromMemorySegment(Simd.I, xs, xi + 8L * L, Simd.LE).reinterpretAsFloats();
            FloatVector x3 = IntVector.fromMemorySegment(Simd.I, xs, xi + 12L * L, Simd.LE).reinterpretAsFloats();
            a0 = FloatVector.fromMemorySegment(F, seg, p, Simd.LE).fma(x0, a0);
            b0 = FloatVector.fromMemorySegment(F, seg, q, Simd.LE).fma(x0, b0);
            a1 = FloatVector.fromMemorySegment(F, seg, p + 4L * L, Simd.LE).fma(x1, a1);
            b1 = FloatVector.fromMemorySegment(F, seg, q + 4L * L, Simd.LE).fma(x1, b1);
            a2 = FloatVector.fromMemorySegment(F, seg, p + 8L * L, Simd.LE).fma(x2, a2);
            b2 = FloatVector.fromMemorySegment(F, seg, q + 8L * L, Simd.LE).fma(x2, b2);
            a3 = FloatVector.fromMemorySegment(F, seg, p + 12L * L, Simd.LE).fma(x3, a3);
            b3 = FloatVector.fromMemorySegment(F, seg, q + 12L * L, Simd.LE).fma(x3, b3);
        }
        for (; i + L <= n; i += L) {
            FloatVector xv = IntVector.fromMemorySegment(Simd.I, xs, 4L * (i & mask), Simd.LE).reinterpretAsFloats();
            a0 = FloatVector.fromMemorySegment(F, seg, row + 4L * i, Simd.LE).fma(xv, a0);
            b0 = FloatVector.fromMemorySegment(F, seg, row2 + 4L * i, Simd.LE).fma(xv, b0);
        }
        FloatVector va = a0.add(a1).add(a2.add(a3));
        if (L >= 16) {
            va = va.add(va.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            va = va.add(va.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            va = va.add(va.rearrange(Simd.FOLD_2));
        }
        float sa = va.add(va.rearrange(Simd.FOLD_1)).lane(0);
        FloatVector vb = b0.add(b1).add(b2.add(b3));
        if (L >= 16) {
            vb = vb.add(vb.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            vb = vb.add(vb.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            vb = vb.add(vb.rearrange(Simd.FOLD_2));
        }
        float sb = vb.add(vb.rearrange(Simd.FOLD_1)).lane(0);
        for (; i < n; i++) {
            float xi = Float.intBitsToFloat(xs.get(X_BITS, 4L * i));
            sa = Math.fma(seg.get(F32, row + 4L * i), xi, sa);
            sb = Math.fma(seg.get(F32, row2 + 4L * i), xi, sb);
        }
        sink[0] += touched;
        out[at] = sa;
        out[at + 1] = sb;
    }

    /**
     * {@link #dotBf16} of four consecutive rows from {@code row} into {@code out[at .. at + 3]},
     * read side by side, one vector of each row per step; the same arithmetic for each row. For
     * rows of more than {@link #MULTI_ROW_MIN_INPUTS} inputs, whose x no longer stays in L1: each
     * load of x serves four rows.
     */
    private static void dotFourBf16(MemorySegment xs, MemorySegment seg, long row, long rowBytes, int n,
            float[] out, int at) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        FloatVector c3 = a0;
        FloatVector d0 = a0;
        FloatVector d1 = a0;
        FloatVector d2 = a0;
        FloatVector d3 = a0;
        long rowB = row + rowBytes;
        long rowC = rowB + rowBytes;
        long rowD = rowC + rowBytes;
        int bound = n - n % (4 * L);
        int mask = indexMask(n);
        for (int i = 0; i < bound; i += L) {
            FloatVector xv = IntVector.fromMemorySegment(Simd.I, xs, 4L * (i & mask), Simd.LE).reinterpretAsFloats();
            FloatVector sa = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, a0);
            FloatVector sb = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, rowB + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, b0);
            FloatVector sc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, rowC + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, c0);
            FloatVector sd = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, rowD + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, d0);
            a0 = a1;
            a1 = a2;
            a2 = a3;
            a3 = sa;
            b0 = b1;
            b1 = b2;
            b2 = b3;
            b3 = sb;
            c0 = c1;
            c1 = c2;
            c2 = c3;
            c3 = sc;
            d0 = d1;
            d1 = d2;
            d2 = d3;
            d3 = sd;
        }
        FloatVector va = a0.add(a1).add(a2.add(a3));
        if (L >= 16) {
            va = va.add(va.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            va = va.add(va.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            va = va.add(va.rearrange(Simd.FOLD_2));
        }
        float suma = va.add(va.rearrange(Simd.FOLD_1)).lane(0);
        FloatVector vb = b0.add(b1).add(b2.add(b3));
        if (L >= 16) {
            vb = vb.add(vb.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            vb = vb.add(vb.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            vb = vb.add(vb.rearrange(Simd.FOLD_2));
        }
        float sumb = vb.add(vb.rearrange(Simd.FOLD_1)).lane(0);
        FloatVector vc = c0.add(c1).add(c2.add(c3));
        if (L >= 16) {
            vc = vc.add(vc.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            vc = vc.add(vc.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            vc = vc.add(vc.rearrange(Simd.FOLD_2));
        }
        float sumc = vc.add(vc.rearrange(Simd.FOLD_1)).lane(0);
        FloatVector vd = d0.add(d1).add(d2.add(d3));
        if (L >= 16) {
            vd = vd.add(vd.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            vd = vd.add(vd.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            vd = vd.add(vd.rearrange(Simd.FOLD_2));
        }
        float sumd = vd.add(vd.rearrange(Simd.FOLD_1)).lane(0);
        for (int i = bound; i < n; i++) {
            float xi = Float.intBitsToFloat(xs.get(X_BITS, 4L * i));
            suma = Math.fma(DType.bf16ToF32(seg.get(I16, row + 2L * i)), xi, suma);
            sumb = Math.fma(DType.bf16ToF32(seg.get(I16, rowB + 2L * i)), xi, sumb);
            sumc = Math.fma(DType.bf16ToF32(seg.get(I16, rowC + 2L * i)), xi, sumc);
            sumd = Math.fma(DType.bf16ToF32(seg.get(I16, rowD + 2L * i)), xi, sumd);
        }
        out[at] = suma;
        out[at + 1] = sumb;
        out[at + 2] = sumc;
        out[at + 3] = sumd;
    }

    /**
     * {@link #dotF16} of four consecutive rows, as {@link #dotFourBf16}.
     */
    private static void dotFourF16(MemorySegment xs, MemorySegment seg, long row, long rowBytes, int n,
            float[] out, int at) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        FloatVector c3 = a0;
        FloatVector d0 = a0;
        FloatVector d1 = a0;
        FloatVector d2 = a0;
        FloatVector d3 = a0;
        long rowB = row + rowBytes;
        long rowC = rowB + rowBytes;
        long rowD = rowC + rowBytes;
        int bound = n - n % (4 * L);
        int mask = indexMask(n);
        for (int i = 0; i < bound; i += L) {
            FloatVector xv = IntVector.fromMemorySegment(Simd.I, xs, 4L * (i & mask), Simd.LE).reinterpretAsFloats();
            FloatVector sa = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, row + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().fma(xv, a0);
            FloatVector sb = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, rowB + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().fma(xv, b0);
            FloatVector sc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, rowC + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().fma(xv, c0);
            FloatVector sd = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, rowD + 2L * i, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats().fma(xv, d0);
            a0 = a1;
            a1 = a2;
            a2 = a3;
            a3 = sa;
            b0 = b1;
            b1 = b2;
            b2 = b3;
            b3 = sb;
            c0 = c1;
            c1 = c2;
            c2 = c3;
            c3 = sc;
            d0 = d1;
            d1 = d2;
            d2 = d3;
            d3 = sd;
        }
        FloatVector va = a0.add(a1).add(a2.add(a3));
        if (L >= 16) {
            va = va.add(va.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            va = va.add(va.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            va = va.add(va.rearrange(Simd.FOLD_2));
        }
        float suma = va.add(va.rearrange(Simd.FOLD_1)).lane(0);
        FloatVector vb = b0.add(b1).add(b2.add(b3));
        if (L >= 16) {
            vb = vb.add(vb.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            vb = vb.add(vb.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            vb = vb.add(vb.rearrange(Simd.FOLD_2));
        }
        float sumb = vb.add(vb.rearrange(Simd.FOLD_1)).lane(0);
        FloatVector vc = c0.add(c1).add(c2.add(c3));
        if (L >= 16) {
            vc = vc.add(vc.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            vc = vc.add(vc.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            vc = vc.add(vc.rearrange(Simd.FOLD_2));
        }
        float sumc = vc.add(vc.rearrange(Simd.FOLD_1)).lane(0);
        FloatVector vd = d0.add(d1).add(d2.add(d3));
        if (L >= 16) {
            vd = vd.add(vd.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            vd = vd.add(vd.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            vd = vd.add(vd.rearrange(Simd.FOLD_2));
        }
        float sumd = vd.add(vd.rearrange(Simd.FOLD_1)).lane(0);
        for (int i = bound; i < n; i++) {
            float xi = Float.intBitsToFloat(xs.get(X_BITS, 4L * i));
            suma = Math.fma(Float.float16ToFloat(seg.get(I16, row + 2L * i)) / F16_REBIAS, xi, suma);
            sumb = Math.fma(Float.float16ToFloat(seg.get(I16, rowB + 2L * i)) / F16_REBIAS, xi, sumb);
            sumc = Math.fma(Float.float16ToFloat(seg.get(I16, rowC + 2L * i)) / F16_REBIAS, xi, sumc);
            sumd = Math.fma(Float.float16ToFloat(seg.get(I16, rowD + 2L * i)) / F16_REBIAS, xi, sumd);
        }
        out[at] = suma;
        out[at + 1] = sumb;
        out[at + 2] = sumc;
        out[at + 3] = sumd;
    }

    /**
     * The F16 dot product of a weight with no infinity or NaN ({@link Linear#f16Finite}): vector
     * {@code v} of the first {@code n - n mod 4L} elements to accumulator {@code v mod 4}, two
     * loads per step with the accumulator pairs swapped every step; combined as (a0+a1)+(a2+a3),
     * lanes summed in {@link Simd#sumLanes}' order in registers ({@link Simd#FOLD_8}), the rest added by scalar FMAs.
     * The conversion has no infinity/NaN case: finite halves are moved into an F32 (sign, exponent
     * and mantissa in place, the exponent bias 112 too small), which is the half's value times
     * 2^-112 exactly, subnormals included; {@code xs} holds x times 2^112 ({@link #F16_REBIAS}),
     * so each product, and so every FMA, is bit for bit the one of the unscaled values. Leaving the
     * multiply out of the loop (one vector instruction in four) measured +4–20 % on one core from
     * memory on [768, 2304], [768, 3072] and the LM head (two A/Bs of alternating JMH runs: 16–18
     * → 18–21 GB/s, and 17.6–18.1 → 18.8–19.5 GB/s on average), [3072, 768] equal, and no change
     * at two threads, where both cores together are bound by memory.
     *
     * <p>Kept small on purpose: with the infinity/NaN tracking of each row in the loop (an earlier
     * version), C2 sometimes left a Vector API call behind in this method, which then boxed every
     * vector (SteadyStateAllocationTest failed in about one run in four).
     */
    private static float dotF16(MemorySegment xs, MemorySegment seg, long row, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int bound = n - n % (4 * L);
        int mask = indexMask(n);
        for (int i = 0; i < bound; i += 2 * L) {
            long at = row + 2L * i;
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2 * L, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0);
            FloatVector w0 = h0.lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats();
            FloatVector w1 = h1.lanewise(VectorOperators.LSHL, 13).and(0x8fffe000).reinterpretAsFloats();
            FloatVector b0 = w0.fma(IntVector.fromMemorySegment(Simd.I, xs, 4L * (i & mask), Simd.LE).reinterpretAsFloats(), a0);
            FloatVector b1 = w1.fma(IntVector.fromMemorySegment(Simd.I, xs, 4L * (i & mask) + 4L * L, Simd.LE).reinterpretAsFloats(), a1);
            a0 = a2;
            a1 = a3;
            a2 = b0;
            a3 = b1;
        }
        FloatVector v = a0.add(a1).add(a2.add(a3));
        if (L >= 16) {
            v = v.add(v.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(Simd.FOLD_2));
        }
        float sum = v.add(v.rearrange(Simd.FOLD_1)).lane(0);
        for (int i = bound; i < n; i++) {
            sum = Math.fma(Float.float16ToFloat(seg.get(I16, row + 2L * i)) / F16_REBIAS, Float.intBitsToFloat(xs.get(X_BITS, 4L * i)), sum);
        }
        return sum;
    }

    /**
     * The BF16 dot product, in {@link #dotF16}'s order: each 16-bit element sign-extended into an
     * int lane and shifted into the top half, which is its F32 value exactly (a BF16 is the top
     * half of an F32). A twin of dotF16 on purpose: one method taking the widening's shift, mask
     * and scale as arguments gave BF16 an AND and a multiply per vector it does not need and ran
     * 5–10 % slower on BF16 rows (F16 unchanged).
     */
    private static float dotBf16(MemorySegment xs, MemorySegment seg, long row, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int bound = n - n % (4 * L);
        int mask = indexMask(n);
        for (int i = 0; i < bound; i += 2 * L) {
            long at = row + 2L * i;
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(Simd.S, seg, at + 2 * L, Simd.LE)
                    .convertShape(VectorOperators.S2I, Simd.I, 0);
            FloatVector w0 = h0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = h1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector b0 = w0.fma(IntVector.fromMemorySegment(Simd.I, xs, 4L * (i & mask), Simd.LE).reinterpretAsFloats(), a0);
            FloatVector b1 = w1.fma(IntVector.fromMemorySegment(Simd.I, xs, 4L * (i & mask) + 4L * L, Simd.LE).reinterpretAsFloats(), a1);
            a0 = a2;
            a1 = a3;
            a2 = b0;
            a3 = b1;
        }
        FloatVector v = a0.add(a1).add(a2.add(a3));
        if (L >= 16) {
            v = v.add(v.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(Simd.FOLD_2));
        }
        float sum = v.add(v.rearrange(Simd.FOLD_1)).lane(0);
        for (int i = bound; i < n; i++) {
            sum = Math.fma(DType.bf16ToF32(seg.get(I16, row + 2L * i)), Float.intBitsToFloat(xs.get(X_BITS, 4L * i)), sum);
        }
        return sum;
    }

    /**
     * Whether {@code n} F16 elements from byte {@code offset} are all finite (no exponent field of
     * 31). {@code (h & 0x7c00) + 0x400} reaches bit 15 exactly when the exponent is 31 and never
     * carries out of the element, so four elements are tested at once in a long, and the OR over
     * all of them answers. A plain loop rather than Vector API code: it runs once per weight, mostly
     * before the JIT has compiled it, where an interpreted scalar loop is cheap and an interpreted
     * vector loop is not.
     */
    static boolean f16Finite(MemorySegment seg, long offset, long n) {
        long any = 0;
        long quads = n / 4;
        for (long start = 0; start < quads; start += 1 << 16) {
            int count = (int) Math.min(1 << 16, quads - start);
            long at = offset + 8 * start;
            for (int q = 0; q < count; q++) {
                any |= (seg.get(I64, at + 8L * q) & 0x7c007c007c007c00L) + 0x0400040004000400L;
            }
        }
        for (long i = 4 * quads; i < n; i++) {
            any |= (seg.get(I16, offset + 2 * i) & 0x7c00) + 0x400;
        }
        return (any & 0x8000800080008000L) == 0;
    }

    /**
     * {@link #dotF16} for a weight that holds an infinity or a NaN, or an x that the scaling by
     * 2^112 would overflow ({@link #F16_SCALED_X_LIMIT}): each row widened exactly by
     * {@link Widen#f16} first, then the same arithmetic, so the same bits as {@link #dotF16} where
     * both apply.
     */
    private static float dotF16Exact(float[] x, int xOffset, MemorySegment seg, long row, int n) {
        float[] w = GemvScratch.floats(GemvScratch.ROW, n);
        Widen.f16(seg, row, w, 0, n);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int bound = n - n % (4 * L);
        for (int i = 0; i < bound; i += 4 * L) {
            a0 = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xOffset + i), a0);
            a1 = FloatVector.fromArray(F, w, i + L).fma(FloatVector.fromArray(F, x, xOffset + i + L), a1);
            a2 = FloatVector.fromArray(F, w, i + 2 * L).fma(FloatVector.fromArray(F, x, xOffset + i + 2 * L), a2);
            a3 = FloatVector.fromArray(F, w, i + 3 * L).fma(FloatVector.fromArray(F, x, xOffset + i + 3 * L), a3);
        }
        FloatVector v = a0.add(a1).add(a2.add(a3));
        if (L >= 16) {
            v = v.add(v.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(Simd.FOLD_2));
        }
        float sum = v.add(v.rearrange(Simd.FOLD_1)).lane(0);
        for (int i = bound; i < n; i++) {
            sum = Math.fma(w[i], x[xOffset + i], sum);
        }
        return sum;
    }

    /** {@code out[o] = Σ_i x[i]·W[i, o] + b[o]} for {@code o} in {@code [o0, o1)}, W stored [in, out]. */
    static void inOut(float[] out, int outOffset, float[] x, int xOffset, Linear linear, int o0, int o1) {
        Tensor w = linear.weight();
        int size = w.dtype().byteSize();
        int in = linear.in();
        long rowBytes = (long) linear.out() * size;
        // one sequential stream only when this thread has whole rows: with the outputs split
        // between threads, each would read short pieces of every row, which measured slower
        // (0.7× at 2 threads) than the four-row sweep
        boolean wholeRows = o0 == 0 && o1 == linear.out();
        if (wholeRows && narrow(o1 - o0, size)) {
            axpyEachRow(linear, out, outOffset + o0, o1 - o0, x, xOffset, in, w.byteOffset() + (long) o0 * size,
                    rowBytes);
        } else {
            for (int c0 = o0; c0 < o1; c0 += WIDE_BLOCK) {
                axpyRows(linear, out, outOffset + c0, Math.min(WIDE_BLOCK, o1 - c0), x, xOffset,
                        w.byteOffset() + (long) c0 * size, rowBytes);
            }
        }
        addBias(out, outOffset, linear.bias(), o0, o1);
    }

    /** Whether {@code width} outputs of {@code size}-byte weights go one input row at a time: sums and a row in L1. */
    private static boolean narrow(int width, int size) {
        return (long) width * (Float.BYTES + size) <= NARROW_BYTES;
    }

    /**
     * Whether a one-row product with {@code linear} is taken as {@link #INPUT_PARTS} partial sums
     * over consecutive input rows ({@link #inOutPart}, then {@link #sumParts}): [in, out] weights
     * narrow enough for the one-row-at-a-time sweep, and enough inputs to share. Each part is one
     * sequential stream through a quarter of the matrix, so threads share the work without each
     * reading pieces of every row (which streamed at half speed); the fixed number of parts keeps
     * the result independent of the thread count.
     */
    static boolean splitsInputs(Linear linear) {
        return linear.layout() == Linear.Layout.IN_OUT && linear.in() >= INPUT_PARTS * MIN_PART_ROWS
                && narrow(linear.out(), linear.weight().dtype().byteSize())
                && linear.weight().dtype() != DType.I8;
    }

    /** Parts a split one-row [in, out] product is summed in: as many as threads are likely to share it. */
    static final int INPUT_PARTS = 4;
    private static final int MIN_PART_ROWS = 128;

    /**
     * {@code partial[part·out + o] = Σ x[i]·W[i, o]} over the input rows {@code i} of part
     * {@code part} (the {@code part}-th of {@link #INPUT_PARTS} equal runs), in order, for every output.
     */
    static void inOutPart(float[] partial, float[] x, int xOffset, Linear linear, int part) {
        Tensor w = linear.weight();
        int in = linear.in();
        int width = linear.out();
        long rowBytes = (long) width * w.dtype().byteSize();
        int i0 = (int) ((long) in * part / INPUT_PARTS);
        int i1 = (int) ((long) in * (part + 1) / INPUT_PARTS);
        axpyEachRow(linear, partial, part * width, width, x, xOffset + i0, i1 - i0, w.byteOffset() + i0 * rowBytes,
                rowBytes);
    }

    /** {@code out[o] = ((partial₀[o] + partial₁[o]) + …) + b[o]}: the parts of {@link #inOutPart} in a fixed order. */
    static void sumParts(float[] out, int outOffset, float[] partial, Linear linear) {
        int width = linear.out();
        for (int o = 0; o < width; o++) {
            float s = partial[o];
            for (int p = 1; p < INPUT_PARTS; p++) {
                s += partial[p * width + o];
            }
            out[outOffset + o] = s;
        }
        addBias(out, outOffset, linear.bias(), 0, width);
    }

    /**
     * {@code out[y + c] = Σ_i x[i]·W[i, c]} for the {@code width} outputs from byte {@code column}
     * on, over {@code in} input rows in order, one row per pass over the sums: the loop of
     * {@code w}'s dtype, summing in a cache-line-aligned buffer ({@link GemvScratch#zeroedSums}),
     * copied into {@code out} at the end: a float[]'s elements start anywhere in a line, and there
     * every 512-bit load and store of the sums stays within one.
     */
    private static void axpyEachRow(Linear linear, float[] out, int y, int width, float[] x, int xOffset, int in,
            long column, long rowBytes) {
        Tensor w = linear.weight();
        MemorySegment seg = w.segment();
        MemorySegment sums = GemvScratch.zeroedSums(width);
        switch (w.dtype()) {
            case F32 -> axpyEachRowF32(sums, width, x, xOffset, in, seg, column, rowBytes);
            case BF16 -> axpyEachRowBf16(sums, width, x, xOffset, in, seg, column, rowBytes);
            case F16 -> axpyEachRowF16(sums, width, x, xOffset, in, seg, column, rowBytes, linear.f16Finite());
            default -> throw new IllegalArgumentException("unsupported weight " + w);
        }
        GemvScratch.copySums(sums, out, y, width);
    }

    /**
     * As {@link #axpyEachRow}, for every input row of {@code linear}, four (F32) or
     * {@link #ROWS_PER_PASS} (BF16) or {@link #F16_ROWS_PER_PASS} rows per pass over the sums: the wide outputs' sweep.
     */
    private static void axpyRows(Linear linear, float[] out, int y, int width, float[] x, int xOffset, long column,
            long rowBytes) {
        Tensor w = linear.weight();
        MemorySegment seg = w.segment();
        int in = linear.in();
        MemorySegment sums = GemvScratch.zeroedSums(width);
        switch (w.dtype()) {
            case F32 -> axpyRowsF32(sums, width, x, xOffset, in, seg, column, rowBytes);
            case BF16 -> axpyRowsBf16(sums, width, x, xOffset, in, seg, column, rowBytes);
            case F16 -> axpyRowsF16(sums, width, x, xOffset, in, seg, column, rowBytes, linear.f16Finite());
            default -> throw new IllegalArgumentException("unsupported weight " + w);
        }
        GemvScratch.copySums(sums, out, y, width);
    }

    /**
     * {@code sums[c] = fma(w[i, c], x[i], sums[c])} for every input row i in order, one row per
     * pass over the sums. Each vector step also reads one byte of its 64 bytes as a scalar, summed into the
     * {@link GemvScratch#sink} (the trick of {@link #dotF32}): one core, [768, 2304] from memory,
     * 13.3–16.7 → 19.0–21.7 GB/s (3 alternating JMH runs); [3072, 768] 17.0–21.5 → 21.2–22.0.
     */
    private static void axpyEachRowF32(MemorySegment sums, int width, float[] x, int xOffset, int in,
            MemorySegment seg, long column, long rowBytes) {
        int bound = F.loopBound(width);
        int mask = indexMask(width);
        int touched = 0;
        for (int i = 0; i < in; i++) {
            float s = x[xOffset + i];
            FloatVector xv = FloatVector.broadcast(F, s);
            long r = column + i * rowBytes;
            int c = 0;
            for (; c < bound; c += L) {
                long at = 4L * (c & mask);
                touched += seg.get(ValueLayout.JAVA_BYTE, r + 4L * c);
                FloatVector.fromMemorySegment(F, seg, r + 4L * c, Simd.LE)
                        .fma(xv, IntVector.fromMemorySegment(Simd.I, sums, at, Simd.LE).reinterpretAsFloats())
                        .reinterpretAsInts().intoMemorySegment(sums, at, Simd.LE);
            }
            for (; c < width; c++) {
                sums.set(F32, 4L * c, Math.fma(seg.get(F32, r + 4L * c), s, sums.get(F32, 4L * c)));
            }
        }
        GemvScratch.sink()[0] += touched;
    }

    /**
     * As {@link #axpyEachRowBf16} for F16: each row widened 16 elements at a time by the
     * conversion of {@link #dotF16} (the half's bits moved into an F32, its value times 2^-112),
     * against {@code x[i]} times 2^112, so every FMA is bit for bit the one of the unscaled
     * values. A row whose {@code x[i]} that scaling could overflow, or any row of a weight with an
     * infinity or NaN ({@code finite} false), goes through {@link #axpyF16Exact}: the same FMAs.
     * No scalar byte reads beside the vector loads, unlike BF16: with them, [768, 2304] at two
     * threads read 0.74–0.76 of the same-memory read, without them 0.90 (one core 0.80 → 0.85).
     */
    private static void axpyEachRowF16(MemorySegment sums, int width, float[] x, int xOffset, int in,
            MemorySegment seg, long column, long rowBytes, boolean finite) {
        int bound = F.loopBound(width);
        int mask = indexMask(width);
        for (int i = 0; i < in; i++) {
            float s = x[xOffset + i];
            long r = column + i * rowBytes;
            if (!finite || !(Math.abs(s) < F16_SCALED_X_LIMIT)) {
                axpyF16Exact(sums, width, seg, r, s);
                continue;
            }
            FloatVector xv = FloatVector.broadcast(F, s * F16_REBIAS);
            int c = 0;
            for (; c < bound; c += L) {
                long at = 4L * (c & mask);
                ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r + 2L * c, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(xv, IntVector.fromMemorySegment(Simd.I, sums, at, Simd.LE).reinterpretAsFloats())
                        .reinterpretAsInts().intoMemorySegment(sums, at, Simd.LE);
            }
            for (; c < width; c++) {
                sums.set(F32, 4L * c, Math.fma(Float.float16ToFloat(seg.get(I16, r + 2L * c)), s, sums.get(F32, 4L * c)));
            }
        }
    }

    /** {@code sums[c] = fma(w[c], s, sums[c])} for the F16 row at byte {@code r}, widened exactly first ({@link Widen#f16}). */
    private static void axpyF16Exact(MemorySegment sums, int width, MemorySegment seg, long r, float s) {
        float[] w = GemvScratch.floats(GemvScratch.ROW, width);
        Widen.f16(seg, r, w, 0, width);
        for (int c = 0; c < width; c++) {
            sums.set(F32, 4L * c, Math.fma(w[c], s, sums.get(F32, 4L * c)));
        }
    }

    /**
     * As {@link #axpyEachRowF32} for BF16: each row widened 16 elements at a time (sign extension,
     * shift). Without F32's byte reads: they once measured faster here ([768, 2304] 16.2–16.9 →
     * 17.8–20.0 GB/s), but with x and the sums read as ints, against the same-memory read on one
     * core, 3 alternating runs each: [768, 3072] 0.80–0.82 with them, 0.82–0.85 without;
     * [768, 2304] 0.83–0.85 and 0.85–0.86. Rows of up to 1024 outputs were once read
     * as int pairs into even and odd sums, which measured faster for [3072, 768] while the sums
     * sat in a float[]; with the aligned sums and the kept range checks ({@link #indexMask}) the
     * widened rows are as fast or faster there too (two alternating runs, one core, against the
     * same-memory read: 0.74–0.80 as pairs, 0.80–0.83 widened).
     */
    private static void axpyEachRowBf16(MemorySegment sums, int width, float[] x, int xOffset, int in,
            MemorySegment seg, long column, long rowBytes) {
        int bound = F.loopBound(width);
        int mask = indexMask(width);
        for (int i = 0; i < in; i++) {
            float s = x[xOffset + i];
            FloatVector xv = FloatVector.broadcast(F, s);
            long r = column + i * rowBytes;
            int c = 0;
            for (; c < bound; c += L) {
                long at = 4L * (c & mask);
                ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r + 2L * c, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(xv, IntVector.fromMemorySegment(Simd.I, sums, at, Simd.LE).reinterpretAsFloats())
                        .reinterpretAsInts().intoMemorySegment(sums, at, Simd.LE);
            }
            for (; c < width; c++) {
                sums.set(F32, 4L * c, Math.fma(DType.bf16ToF32(seg.get(I16, r + 2L * c)), s, sums.get(F32, 4L * c)));
            }
        }
    }

    /** {@code sums[c] = fma(w[i, c], x[i], sums[c])} for every input row i in order, four rows per pass over the sums. */
    private static void axpyRowsF32(MemorySegment sums, int width, float[] x, int xOffset, int in,
            MemorySegment seg, long column, long rowBytes) {
        int bound = F.loopBound(width);
        int mask = indexMask(width);
        int i = 0;
        for (; i + 4 <= in; i += 4) {
            float s0 = x[xOffset + i];
            float s1 = x[xOffset + i + 1];
            float s2 = x[xOffset + i + 2];
            float s3 = x[xOffset + i + 3];
            FloatVector x0 = FloatVector.broadcast(F, s0);
            FloatVector x1 = FloatVector.broadcast(F, s1);
            FloatVector x2 = FloatVector.broadcast(F, s2);
            FloatVector x3 = FloatVector.broadcast(F, s3);
            long r0 = column + i * rowBytes;
            long r1 = r0 + rowBytes;
            long r2 = r1 + rowBytes;
            long r3 = r2 + rowBytes;
            int c = 0;
            for (; c < bound; c += L) {
                long b = 4L * c;
                long at = 4L * (c & mask);
                FloatVector acc = IntVector.fromMemorySegment(Simd.I, sums, at, Simd.LE).reinterpretAsFloats();
                acc = FloatVector.fromMemorySegment(F, seg, r0 + b, Simd.LE).fma(x0, acc);
                acc = FloatVector.fromMemorySegment(F, seg, r1 + b, Simd.LE).fma(x1, acc);
                acc = FloatVector.fromMemorySegment(F, seg, r2 + b, Simd.LE).fma(x2, acc);
                acc = FloatVector.fromMemorySegment(F, seg, r3 + b, Simd.LE).fma(x3, acc);
                acc.reinterpretAsInts().intoMemorySegment(sums, at, Simd.LE);
            }
            for (; c < width; c++) {
                long b = 4L * c;
                float acc = sums.get(F32, b);
                acc = Math.fma(seg.get(F32, r0 + b), s0, acc);
                acc = Math.fma(seg.get(F32, r1 + b), s1, acc);
                acc = Math.fma(seg.get(F32, r2 + b), s2, acc);
                acc = Math.fma(seg.get(F32, r3 + b), s3, acc);
                sums.set(F32, b, acc);
            }
        }
        axpyEachRowF32(sums, width, x, xOffset + i, in - i, seg, column + i * rowBytes, rowBytes);
    }

    /**
     * {@code sums[c] = fma(w[i, c], x[i], sums[c])} for every input row i in order, eight rows
     * ({@link #ROWS_PER_PASS}) per pass over the sums, each BF16 weight widened in registers.
     */
    private static void axpyRowsBf16(MemorySegment sums, int width, float[] x, int xOffset, int in,
            MemorySegment seg, long column, long rowBytes) {
        int bound = F.loopBound(width);
        int mask = indexMask(width);
        int i = 0;
        for (; i + ROWS_PER_PASS <= in; i += ROWS_PER_PASS) {
            float s0 = x[xOffset + i];
            float s1 = x[xOffset + i + 1];
            float s2 = x[xOffset + i + 2];
            float s3 = x[xOffset + i + 3];
            float s4 = x[xOffset + i + 4];
            float s5 = x[xOffset + i + 5];
            float s6 = x[xOffset + i + 6];
            float s7 = x[xOffset + i + 7];
            long r0 = column + i * rowBytes;
            long r1 = r0 + rowBytes;
            long r2 = r1 + rowBytes;
            long r3 = r2 + rowBytes;
            long r4 = r3 + rowBytes;
            long r5 = r4 + rowBytes;
            long r6 = r5 + rowBytes;
            long r7 = r6 + rowBytes;
            FloatVector x0 = FloatVector.broadcast(F, s0);
            FloatVector x1 = FloatVector.broadcast(F, s1);
            FloatVector x2 = FloatVector.broadcast(F, s2);
            FloatVector x3 = FloatVector.broadcast(F, s3);
            FloatVector x4 = FloatVector.broadcast(F, s4);
            FloatVector x5 = FloatVector.broadcast(F, s5);
            FloatVector x6 = FloatVector.broadcast(F, s6);
            FloatVector x7 = FloatVector.broadcast(F, s7);
            int c = 0;
            for (; c < bound; c += L) {
                long b = 2L * c;
                long at = 4L * (c & mask);
                FloatVector acc = IntVector.fromMemorySegment(Simd.I, sums, at, Simd.LE).reinterpretAsFloats();
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r0 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(x0, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r1 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(x1, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r2 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(x2, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r3 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(x3, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r4 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(x4, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r5 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(x5, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r6 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(x6, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r7 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(x7, acc);
                acc.reinterpretAsInts().intoMemorySegment(sums, at, Simd.LE);
            }
            for (; c < width; c++) {
                long b = 2L * c;
                float acc = sums.get(F32, 4L * c);
                acc = Math.fma(DType.bf16ToF32(seg.get(I16, r0 + b)), s0, acc);
                acc = Math.fma(DType.bf16ToF32(seg.get(I16, r1 + b)), s1, acc);
                acc = Math.fma(DType.bf16ToF32(seg.get(I16, r2 + b)), s2, acc);
                acc = Math.fma(DType.bf16ToF32(seg.get(I16, r3 + b)), s3, acc);
                acc = Math.fma(DType.bf16ToF32(seg.get(I16, r4 + b)), s4, acc);
                acc = Math.fma(DType.bf16ToF32(seg.get(I16, r5 + b)), s5, acc);
                acc = Math.fma(DType.bf16ToF32(seg.get(I16, r6 + b)), s6, acc);
                acc = Math.fma(DType.bf16ToF32(seg.get(I16, r7 + b)), s7, acc);
                sums.set(F32, 4L * c, acc);
            }
        }
        axpyEachRowBf16(sums, width, x, xOffset + i, in - i, seg, column + i * rowBytes, rowBytes);
    }

    /**
     * As {@link #axpyRowsBf16} for F16, {@link #F16_ROWS_PER_PASS} rows per pass, with the
     * conversion of {@link #axpyEachRowF16}; sixteen rows any of whose {@code x[i]} the scaling
     * could overflow (a NaN among them included: {@code Math.max} keeps it), or every row of a
     * weight with an infinity or NaN, go one at a time through {@link #axpyF16Exact}.
     */
    private static void axpyRowsF16(MemorySegment sums, int width, float[] x, int xOffset, int in,
            MemorySegment seg, long column, long rowBytes, boolean finite) {
        int bound = F.loopBound(width);
        int mask = indexMask(width);
        int i = 0;
        for (; i + F16_ROWS_PER_PASS <= in; i += F16_ROWS_PER_PASS) {
            float s0 = x[xOffset + i];
            float s1 = x[xOffset + i + 1];
            float s2 = x[xOffset + i + 2];
            float s3 = x[xOffset + i + 3];
            float s4 = x[xOffset + i + 4];
            float s5 = x[xOffset + i + 5];
            float s6 = x[xOffset + i + 6];
            float s7 = x[xOffset + i + 7];
            float s8 = x[xOffset + i + 8];
            float s9 = x[xOffset + i + 9];
            float s10 = x[xOffset + i + 10];
            float s11 = x[xOffset + i + 11];
            float s12 = x[xOffset + i + 12];
            float s13 = x[xOffset + i + 13];
            float s14 = x[xOffset + i + 14];
            float s15 = x[xOffset + i + 15];
            long r0 = column + i * rowBytes;
            long r1 = r0 + rowBytes;
            long r2 = r1 + rowBytes;
            long r3 = r2 + rowBytes;
            long r4 = r3 + rowBytes;
            long r5 = r4 + rowBytes;
            long r6 = r5 + rowBytes;
            long r7 = r6 + rowBytes;
            long r8 = r7 + rowBytes;
            long r9 = r8 + rowBytes;
            long r10 = r9 + rowBytes;
            long r11 = r10 + rowBytes;
            long r12 = r11 + rowBytes;
            long r13 = r12 + rowBytes;
            long r14 = r13 + rowBytes;
            long r15 = r14 + rowBytes;
            float largest = Math.max(maxAbs(s0, s1, s2, s3, s4, s5, s6, s7), maxAbs(s8, s9, s10, s11, s12, s13, s14, s15));
            if (!finite || !(largest < F16_SCALED_X_LIMIT)) {
                axpyF16Exact(sums, width, seg, r0, s0);
                axpyF16Exact(sums, width, seg, r1, s1);
                axpyF16Exact(sums, width, seg, r2, s2);
                axpyF16Exact(sums, width, seg, r3, s3);
                axpyF16Exact(sums, width, seg, r4, s4);
                axpyF16Exact(sums, width, seg, r5, s5);
                axpyF16Exact(sums, width, seg, r6, s6);
                axpyF16Exact(sums, width, seg, r7, s7);
                axpyF16Exact(sums, width, seg, r8, s8);
                axpyF16Exact(sums, width, seg, r9, s9);
                axpyF16Exact(sums, width, seg, r10, s10);
                axpyF16Exact(sums, width, seg, r11, s11);
                axpyF16Exact(sums, width, seg, r12, s12);
                axpyF16Exact(sums, width, seg, r13, s13);
                axpyF16Exact(sums, width, seg, r14, s14);
                axpyF16Exact(sums, width, seg, r15, s15);
                continue;
            }
            FloatVector x0 = FloatVector.broadcast(F, s0 * F16_REBIAS);
            FloatVector x1 = FloatVector.broadcast(F, s1 * F16_REBIAS);
            FloatVector x2 = FloatVector.broadcast(F, s2 * F16_REBIAS);
            FloatVector x3 = FloatVector.broadcast(F, s3 * F16_REBIAS);
            FloatVector x4 = FloatVector.broadcast(F, s4 * F16_REBIAS);
            FloatVector x5 = FloatVector.broadcast(F, s5 * F16_REBIAS);
            FloatVector x6 = FloatVector.broadcast(F, s6 * F16_REBIAS);
            FloatVector x7 = FloatVector.broadcast(F, s7 * F16_REBIAS);
            FloatVector x8 = FloatVector.broadcast(F, s8 * F16_REBIAS);
            FloatVector x9 = FloatVector.broadcast(F, s9 * F16_REBIAS);
            FloatVector x10 = FloatVector.broadcast(F, s10 * F16_REBIAS);
            FloatVector x11 = FloatVector.broadcast(F, s11 * F16_REBIAS);
            FloatVector x12 = FloatVector.broadcast(F, s12 * F16_REBIAS);
            FloatVector x13 = FloatVector.broadcast(F, s13 * F16_REBIAS);
            FloatVector x14 = FloatVector.broadcast(F, s14 * F16_REBIAS);
            FloatVector x15 = FloatVector.broadcast(F, s15 * F16_REBIAS);
            int c = 0;
            for (; c < bound; c += L) {
                long b = 2L * c;
                long at = 4L * (c & mask);
                FloatVector acc = IntVector.fromMemorySegment(Simd.I, sums, at, Simd.LE).reinterpretAsFloats();
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r0 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x0, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r1 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x1, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r2 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x2, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r3 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x3, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r4 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x4, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r5 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x5, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r6 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x6, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r7 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x7, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r8 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x8, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r9 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x9, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r10 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x10, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r11 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x11, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r12 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x12, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r13 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x13, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r14 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x14, acc);
                acc = ((IntVector) ShortVector.fromMemorySegment(Simd.S, seg, r15 + b, Simd.LE)
                        .convertShape(VectorOperators.S2I, Simd.I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8fffe000)
                        .reinterpretAsFloats().fma(x15, acc);
                acc.reinterpretAsInts().intoMemorySegment(sums, at, Simd.LE);
            }
            for (; c < width; c++) {
                long b = 2L * c;
                float acc = sums.get(F32, 4L * c);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r0 + b)), s0, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r1 + b)), s1, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r2 + b)), s2, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r3 + b)), s3, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r4 + b)), s4, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r5 + b)), s5, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r6 + b)), s6, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r7 + b)), s7, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r8 + b)), s8, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r9 + b)), s9, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r10 + b)), s10, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r11 + b)), s11, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r12 + b)), s12, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r13 + b)), s13, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r14 + b)), s14, acc);
                acc = Math.fma(Float.float16ToFloat(seg.get(I16, r15 + b)), s15, acc);
                sums.set(F32, 4L * c, acc);
            }
        }
        axpyEachRowF16(sums, width, x, xOffset + i, in - i, seg, column + i * rowBytes, rowBytes, finite);
    }

    /**
     * A mask that leaves every index below {@code n} unchanged ({@code i & mask == i}). The dot
     * products read x at {@code i & mask}, and the 16-bit [in, out] sweeps their sums at
     * {@code c & mask}: an index C2 cannot prove linear in the loop counter, so it leaves that
     * loop's range checks in place instead of splitting it into pre-, main and post-loops without
     * them. Measured on one core against a plain read of the same mapped weights
     * (GemvBenchmark.gemvBesideRead's order, one JVM per figure, x read as ints as the class notes
     * say): [3072, 768] F32 0.62–0.65 → 0.89–0.93, BF16 0.62–0.69 → 0.94–0.95, F16 0.65–0.68 →
     * 0.90–0.91; [768, 2304] F32 0.87–0.88 → 0.92–0.96, BF16 and F16 +0.01–0.04; the LM head
     * within ±0.03. Why the loop without checks streams slower is not established.
     */
    static int indexMask(int n) {
        return (Integer.highestOneBit(Math.max(1, n)) << 1) - 1;
    }

    /** The largest magnitude of eight inputs (NaN if any is NaN). */
    private static float maxAbs(float a, float b, float c, float d, float e, float f, float g, float h) {
        return Math.max(Math.max(Math.max(Math.abs(a), Math.abs(b)), Math.max(Math.abs(c), Math.abs(d))),
                Math.max(Math.max(Math.abs(e), Math.abs(f)), Math.max(Math.abs(g), Math.abs(h))));
    }

    /** {@code out[o] += b[o]} for {@code o} in {@code [o0, o1)}; nothing when there is no bias. */
    static void addBias(float[] out, int outOffset, Tensor bias, int o0, int o1) {
        if (bias == null || o1 <= o0) {
            return;
        }
        Widen.addTensor(out, outOffset + o0, bias, o0, o1 - o0, Scratch.get(Scratch.PARAMS, o1 - o0));
    }
}
