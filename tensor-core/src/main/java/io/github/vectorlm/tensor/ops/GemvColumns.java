package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The GEMV for W stored [in, out] ({@code IN_OUT}, GPT-2's Conv1D layers): output {@code o} is the
 * FMA chain {@code Σ_i x[i]·W[i, o]} over the inputs in order, the arithmetic of {@link Gemm}. The
 * kernels add row after row of W into partial sums kept in this thread's cache-line-aligned buffer
 * ({@link GemvScratch#zeroedSums}), copied into the caller's array at the end. How the rows are
 * swept depends on the width of the outputs:
 * <ul>
 *   <li>Narrow ({@link #NARROW_BYTES}: the sums and one weight row fit in L1), computed by one
 *       thread: one input row per pass ({@code sweep1<dtype>}), so the whole weight is one
 *       sequential stream. A one-row product of enough inputs is split instead into
 *       {@link #INPUT_PARTS} runs of input rows, each a stream of its own that a thread takes
 *       ({@link #part}), summed in a fixed order ({@link #sumParts}).
 *   <li>Wide (the LM head), or outputs shared between threads: blocks of up to {@link #WIDE_BLOCK}
 *       outputs, so the sums stay in L2, each swept several input rows per pass, which saves loads
 *       and stores of the sums per weight byte while each row is still read as one stream:
 *       {@code sweep4F32}, {@code sweep8Bf16}, {@code sweep16F16}; the rows left over one at a time.
 * </ul>
 *
 * <p>F16: the kernels widen as the dot products do, against {@code x[i]} times 2^112; a row whose
 * {@code x[i]} could overflow that way, or any row of a weight with an infinity or NaN, goes through
 * {@link #axpyF16Exact}: the same FMAs. The one-row F32 sweep reads one byte of each 64 it covers
 * as a scalar into {@link GemvScratch#sink}, as the F32 dot products do; the 16-bit sweeps do not
 * (slower with them).
 */
final class GemvColumns {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /**
     * Output ranges whose partial sums plus one weight row take at most this many bytes (of a
     * 32 KB L1) are swept one input row at a time: F32 up to 3072 outputs, BF16/F16 up to 4096.
     */
    static final int NARROW_BYTES = 24 << 10;
    /** Wider output ranges go in blocks of this many outputs (256 KB of partial sums, in L2). */
    static final int WIDE_BLOCK = 65536;
    /** Parts a split one-row product is summed in: as many as threads are likely to share it. */
    static final int INPUT_PARTS = 4;
    private static final int MIN_PART_ROWS = 128;

    private GemvColumns() {
    }

    /** {@code out[o] = Σ_i x[i]·W[i, o] + b[o]} for {@code o} in {@code [o0, o1)}, W stored [in, out]. */
    static void multiply(float[] out, int outOffset, float[] x, int xOffset, Linear linear, int o0, int o1) {
        Tensor w = linear.weight();
        int size = w.dtype().byteSize();
        int in = linear.in();
        long rowBytes = (long) linear.out() * size;
        // one sequential stream only when this thread has whole rows: with the outputs split
        // between threads, each would read short pieces of every row, slower than the wide sweep
        boolean wholeRows = o0 == 0 && o1 == linear.out();
        if (wholeRows && narrow(o1 - o0, size)) {
            sweepEachRow(linear, out, outOffset + o0, o1 - o0, x, xOffset, in, w.byteOffset() + (long) o0 * size,
                    rowBytes);
        } else {
            for (int c0 = o0; c0 < o1; c0 += WIDE_BLOCK) {
                sweepRows(linear, out, outOffset + c0, Math.min(WIDE_BLOCK, o1 - c0), x, xOffset,
                        w.byteOffset() + (long) c0 * size, rowBytes);
            }
        }
        Gemv.addBias(out, outOffset, linear.bias(), o0, o1);
    }

    /** Whether {@code width} outputs of {@code size}-byte weights go one input row at a time: sums and a row in L1. */
    private static boolean narrow(int width, int size) {
        return (long) width * (Float.BYTES + size) <= NARROW_BYTES;
    }

    /**
     * Whether a one-row product with {@code linear} is taken as {@link #INPUT_PARTS} partial sums
     * over consecutive input rows ({@link #part}, then {@link #sumParts}): [in, out] weights
     * narrow enough for the one-row-at-a-time sweep, and enough inputs to share. Each part is one
     * sequential stream through a quarter of the matrix, so threads share the work without each
     * reading pieces of every row; the fixed number of parts keeps the result independent of the
     * thread count.
     */
    static boolean splitsInputs(Linear linear) {
        return linear.layout() == Linear.Layout.IN_OUT && linear.in() >= INPUT_PARTS * MIN_PART_ROWS
                && narrow(linear.out(), linear.weight().dtype().byteSize())
                && linear.weight().dtype() != DType.I8;
    }

    /**
     * {@code partial[part·out + o] = Σ x[i]·W[i, o]} over the input rows {@code i} of part
     * {@code part} (the {@code part}-th of {@link #INPUT_PARTS} equal runs), in order, for every output.
     */
    static void part(float[] partial, float[] x, int xOffset, Linear linear, int part) {
        Tensor w = linear.weight();
        int in = linear.in();
        int width = linear.out();
        long rowBytes = (long) width * w.dtype().byteSize();
        int i0 = (int) ((long) in * part / INPUT_PARTS);
        int i1 = (int) ((long) in * (part + 1) / INPUT_PARTS);
        sweepEachRow(linear, partial, part * width, width, x, xOffset + i0, i1 - i0, w.byteOffset() + i0 * rowBytes,
                rowBytes);
    }

    /** {@code out[o] = ((partial₀[o] + partial₁[o]) + …) + b[o]}: the parts of {@link #part} in a fixed order. */
    static void sumParts(float[] out, int outOffset, float[] partial, Linear linear) {
        int width = linear.out();
        for (int o = 0; o < width; o++) {
            float s = partial[o];
            for (int p = 1; p < INPUT_PARTS; p++) {
                s += partial[p * width + o];
            }
            out[outOffset + o] = s;
        }
        Gemv.addBias(out, outOffset, linear.bias(), 0, width);
    }

    /**
     * {@code out[y + c] = Σ_i x[i]·W[i, c]} for the {@code width} outputs from byte {@code column}
     * on, over {@code in} input rows in order, one row per pass over the aligned sums.
     */
    private static void sweepEachRow(Linear linear, float[] out, int y, int width, float[] x, int xOffset, int in,
            long column, long rowBytes) {
        Tensor w = linear.weight();
        MemorySegment seg = w.segment();
        MemorySegment sums = GemvScratch.zeroedSums(width);
        switch (w.dtype()) {
            case F32 -> GemvColumnKernels.sweep1F32(sums, width, x, xOffset, in, seg, column, rowBytes);
            case BF16 -> GemvColumnKernels.sweep1Bf16(sums, width, x, xOffset, in, seg, column, rowBytes);
            case F16 -> GemvColumnKernels.sweep1F16(sums, width, x, xOffset, in, seg, column, rowBytes, linear.f16Finite());
            default -> throw new IllegalArgumentException("unsupported weight " + w);
        }
        GemvScratch.copySums(sums, out, y, width);
    }

    /** As {@link #sweepEachRow}, for every input row of {@code linear}, several rows per pass: the wide outputs' sweep. */
    private static void sweepRows(Linear linear, float[] out, int y, int width, float[] x, int xOffset, long column,
            long rowBytes) {
        Tensor w = linear.weight();
        MemorySegment seg = w.segment();
        int in = linear.in();
        MemorySegment sums = GemvScratch.zeroedSums(width);
        switch (w.dtype()) {
            case F32 -> GemvColumnKernels.sweep4F32(sums, width, x, xOffset, in, seg, column, rowBytes);
            case BF16 -> GemvColumnKernels.sweep8Bf16(sums, width, x, xOffset, in, seg, column, rowBytes);
            case F16 -> GemvColumnKernels.sweep16F16(sums, width, x, xOffset, in, seg, column, rowBytes, linear.f16Finite());
            default -> throw new IllegalArgumentException("unsupported weight " + w);
        }
        GemvScratch.copySums(sums, out, y, width);
    }

    /**
     * {@code sums[c] = fma(w[c], s, sums[c])} for the F16 row at byte {@code r}, widened exactly
     * first ({@link Widen#f16}) into this thread's {@link GemvScratch#ROW} buffer.
     */
    static void axpyF16Exact(MemorySegment sums, int width, MemorySegment seg, long r, float s) {
        float[] w = GemvScratch.floats(GemvScratch.ROW, width);
        Widen.f16(seg, r, w, 0, width);
        for (int c = 0; c < width; c++) {
            sums.set(F32, 4L * c, Math.fma(w[c], s, sums.get(F32, 4L * c)));
        }
    }

    /** The largest magnitude of eight inputs (NaN if any is NaN): the F16 sweeps' overflow check. */
    static float maxAbs(float a, float b, float c, float d, float e, float f, float g, float h) {
        return Math.max(Math.max(Math.max(Math.abs(a), Math.abs(b)), Math.max(Math.abs(c), Math.abs(d))),
                Math.max(Math.max(Math.abs(e), Math.abs(f)), Math.max(Math.abs(g), Math.abs(h))));
    }
}
