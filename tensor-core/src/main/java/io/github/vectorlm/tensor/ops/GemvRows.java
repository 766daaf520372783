package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The GEMV for W stored [out, in] ({@code OUT_IN}): output {@code o} is the dot product of row
 * {@code o} with x, in the order {@link Gemv} documents. Per call, x is copied into this thread's
 * cache-line-aligned buffer (F16: times 2^112, see {@link Gemv#F16_REBIAS}); then the rows of the
 * range are read one at a time or several side by side, so that each load of x serves them all:
 *
 * <table class="striped">
 *   <caption>Kernels of {@link GemvRowKernels}</caption>
 *   <thead><tr><th>weights</th><th>rows of up to 4096 inputs</th><th>longer rows</th></tr></thead>
 *   <tbody>
 *     <tr><td>F32</td><td>{@code dot4F32}, four rows, or {@code dot1F32}, as
 *         {@link ShortRowChoice} measures (32 registers); with 16 registers {@code dot1F32}</td>
 *         <td>{@code dot2F32}, two rows</td></tr>
 *     <tr><td>BF16</td><td>{@code dot1Bf16}</td><td>{@code dot4Bf16}, four rows</td></tr>
 *     <tr><td>F16</td><td>{@code dot1F16}</td><td>{@code dot4F16}, four rows</td></tr>
 *     <tr><td>F16 with an infinity or NaN, or an x too large to scale</td><td colspan="2">
 *         {@code dotF16Exact}, the row widened exactly into scratch first</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>The rows left over by a multi-row kernel go one at a time ({@code dot1F32}, …).
 */
final class GemvRows {
    /**
     * Rows of more than this many inputs (x of over 16 KB) are read several at a time, sharing each
     * load of x: x no longer stays in L1 beside the weight stream, and its reloads from L2 compete
     * with the weights for line fills. Shorter 16-bit rows are faster one at a time; shorter F32
     * rows as {@link ShortRowChoice} measures where there are 32 vector registers, else one at a time.
     */
    static final int MULTI_ROW_MIN_INPUTS = 4097;

    private GemvRows() {
    }

    /** {@code out[o] = dot(W[o, :], x) + b[o]} for {@code o} in {@code [o0, o1)}, W stored [out, in]. */
    static void multiply(float[] out, int outOffset, float[] x, int xOffset, Linear linear, int o0, int o1) {
        Tensor w = linear.weight();
        MemorySegment seg = w.segment();
        int in = linear.in();
        long rowBytes = (long) in * w.dtype().byteSize();
        long row = w.byteOffset() + o0 * rowBytes;
        switch (w.dtype()) {
            case F32 -> {
                MemorySegment xs = GemvScratch.alignedCopy(x, xOffset, in);
                int o = o0;
                // shorter rows: with 32 registers four side by side or one at a time, whichever this
                // machine reads faster (ShortRowChoice); with 16 one at a time (two side by side
                // read at half the speed on Zen 4; docs/performance-gemv.md)
                long bytes = (long) (o1 - o0) * rowBytes;
                int trial = 0;
                long start = 0;
                if (in < MULTI_ROW_MIN_INPUTS && Simd.REGISTERS >= 32) {
                    int kernel = ShortRowChoice.chosen();
                    trial = kernel == 0 && bytes >= ShortRowChoice.MIN_BYTES ? ShortRowChoice.trial() : 0;
                    start = trial != 0 ? System.nanoTime() : 0;
                    if (kernel != ShortRowChoice.ONE && trial != ShortRowChoice.ONE) {
                        for (; o + 4 <= o1; o += 4, row += 4 * rowBytes) {
                            GemvRowKernels.dot4F32(out, outOffset + o, xs, seg, row, rowBytes, in);
                        }
                    }
                } else if (in >= MULTI_ROW_MIN_INPUTS) {
                    for (; o + 2 <= o1; o += 2, row += 2 * rowBytes) {
                        GemvRowKernels.dot2F32(out, outOffset + o, xs, seg, row, rowBytes, in);
                    }
                }
                for (; o < o1; o++, row += rowBytes) {
                    out[outOffset + o] = GemvRowKernels.dot1F32(xs, seg, row, in);
                }
                if (trial != 0) {
                    ShortRowChoice.record(trial, bytes, System.nanoTime() - start);
                }
            }
            case BF16 -> {
                MemorySegment xs = GemvScratch.alignedCopy(x, xOffset, in);
                int o = o0;
                for (; in >= MULTI_ROW_MIN_INPUTS && o + 4 <= o1; o += 4, row += 4 * rowBytes) {
                    GemvRowKernels.dot4Bf16(out, outOffset + o, xs, seg, row, rowBytes, in);
                }
                for (; o < o1; o++, row += rowBytes) {
                    out[outOffset + o] = GemvRowKernels.dot1Bf16(xs, seg, row, in);
                }
            }
            case F16 -> {
                MemorySegment xs = linear.f16Finite()
                        ? GemvScratch.alignedScaledCopy(x, xOffset, in, Gemv.F16_REBIAS, Gemv.F16_SCALED_X_LIMIT) : null;
                if (xs != null) {
                    int o = o0;
                    for (; in >= MULTI_ROW_MIN_INPUTS && o + 4 <= o1; o += 4, row += 4 * rowBytes) {
                        GemvRowKernels.dot4F16(out, outOffset + o, xs, seg, row, rowBytes, in);
                    }
                    for (; o < o1; o++, row += rowBytes) {
                        out[outOffset + o] = GemvRowKernels.dot1F16(xs, seg, row, in);
                    }
                } else {
                    for (int o = o0; o < o1; o++, row += rowBytes) {
                        out[outOffset + o] = GemvRowKernels.dotF16Exact(x, xOffset, seg, row, in);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unsupported weight " + w);
        }
        Gemv.addBias(out, outOffset, linear.bias(), o0, o1);
    }
}
