package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Several rows of x against W stored [in, out] ({@code IN_OUT}) with the GEMM's arithmetic — each
 * output one FMA chain over the inputs in order, from 0, continued across blocks from the stored
 * partial sum — for a few rows (the decode step of several sequences), where packing panels as
 * {@link Gemm} does cost more than the products. The weights go in blocks of whole input rows of
 * the range, {@link #BLOCK_FLOATS} at a time, each row read as one sequential run: F32 and BF16
 * blocks are brought into cache by reading a byte of each line and then read in place (BF16
 * widened in registers, exactly); F16 ones are widened into a float block. Tiles of 8 rows (4 with
 * 16 vector registers) × 2 vectors of outputs ({@link EachRowTileKernels}) then run over the block
 * from cache, broadcasting {@code x[r, k]}. Outputs past the last whole tile take the same chain
 * in scalar code.
 *
 * <p>Why F32 and BF16 are not copied: the copy (a read from memory and a write into the block) took
 * 35–38 % of a batched GPT-2 f32 step on Zen 4, and read more slowly than a plain read; the line
 * pass reads only. {@code bench --parallel 4,8,16}, GPT-2 124M f32, one thread: 65–67 → 75–77,
 * 101–104 → 111–112, 140–147 → 150–152 tokens/s; at {@code -XX:UseAVX=2} 8 sequences 75 → 90.
 * GPT-2 124M bf16: 8 sequences 126–129 → 151–154, 16: 155–161 → 182–183. Reading the strips
 * straight from memory without that pass was slower than the copy (short runs far apart).
 */
final class EachRowColumns {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Floats of weights per block: 256 KB, which stays in L2 while every row of x passes over it. */
    static final int BLOCK_FLOATS = 1 << 16;
    /** Outputs per block at most (a multiple of every 2·L): wider ranges go in chunks, so a block holds at least 32 input rows. */
    static final int CHUNK = 2048;
    /**
     * Up to this many rows of 16-bit weights sweep the weights straight from the mapping
     * ({@link #sweep}); more copy blocks. GPT-2 124M bf16, 1 thread, Zen 5 (`bench --parallel`):
     * 4 sequences 79 tokens/s with blocks, 149 swept; at 8 both 147.
     */
    static final int SWEEP_MAX_ROWS = 4;
    /**
     * The same for F32 weights, whose sums cost more stores per weight byte: GPT-2 124M f32, 2
     * sequences 43 tokens/s with blocks, 59 swept; 4 sequences 79 with blocks, 69 swept.
     */
    static final int SWEEP_MAX_ROWS_F32 = 2;
    /** Outputs per sweep block: 4 rows of sums in 16 KB of L1. */
    static final int SWEEP_BLOCK = 1024;

    private EachRowColumns() {
    }

    /**
     * {@code out[r, o] = Σ_{k0 <= k < k1} x[r, k]·W[k, o]} (no bias) for {@code r < rows} and
     * {@code o} in {@code [o0, o1)}; rows of x are {@code linear.in()} apart, rows of out
     * {@code linear.out()}.
     */
    static void multiply(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear linear, int o0, int o1,
            int k0, int k1) {
        DType dtype = linear.weight().dtype();
        if (rows <= (dtype == DType.F32 ? SWEEP_MAX_ROWS_F32 : SWEEP_MAX_ROWS)
                && (dtype != DType.F16 || linear.f16Finite())) {
            sweep(out, outOffset, x, xOffset, rows, linear, o0, o1, k0, k1);
            return;
        }
        for (int c0 = o0; c0 < o1; c0 += CHUNK) {
            multiplyChunk(out, outOffset, x, xOffset, rows, linear, c0, Math.min(o1, c0 + CHUNK), k0, k1);
        }
    }

    /**
     * {@link #multiply} for up to {@link #SWEEP_MAX_ROWS} rows: the weights read straight from
     * the mapping, one input row per pass over sums kept in out, in blocks of
     * {@link #SWEEP_BLOCK} outputs ({@link EachRowSweeps}); the same FMA chain per output.
     */
    static void sweep(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear linear, int o0, int o1,
            int k0, int k1) {
        Tensor w = linear.weight();
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        int in = linear.in();
        int nOut = linear.out();
        long rowBytes = (long) nOut * dtype.byteSize();
        for (int c0 = o0; c0 < o1; c0 += SWEEP_BLOCK) {
            int n = Math.min(SWEEP_BLOCK, o1 - c0);
            int y = outOffset + c0;
            for (int r = 0; r < rows; r++) {
                Arrays.fill(out, y + r * nOut, y + r * nOut + n, 0f);
            }
            long at = w.byteOffset() + ((long) k0 * nOut + c0) * dtype.byteSize();
            int xo = xOffset;
            switch (dtype) {
                case F32 -> {
                    switch (rows) {
                        case 1 -> EachRowSweeps.sweep1F32(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                        case 2 -> EachRowSweeps.sweep2F32(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                        case 3 -> EachRowSweeps.sweep3F32(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                        default -> EachRowSweeps.sweep4F32(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                    }
                }
                case BF16 -> {
                    switch (rows) {
                        case 1 -> EachRowSweeps.sweep1Bf16(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                        case 2 -> EachRowSweeps.sweep2Bf16(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                        case 3 -> EachRowSweeps.sweep3Bf16(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                        default -> EachRowSweeps.sweep4Bf16(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                    }
                }
                case F16 -> {
                    switch (rows) {
                        case 1 -> EachRowSweeps.sweep1F16(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                        case 2 -> EachRowSweeps.sweep2F16(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                        case 3 -> EachRowSweeps.sweep3F16(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                        default -> EachRowSweeps.sweep4F16(out, y, nOut, x, xo, in, seg, at, rowBytes, k0, k1, n);
                    }
                }
                default -> throw new IllegalArgumentException("unsupported weight " + w);
            }
        }
    }

    /**
     * One block of F32 or BF16 weights, input rows [kStart, kStart + kn) × outputs [o0, o0 +
     * width), read in place: a pass that reads a byte of each of its lines, row after row
     * (sequential runs that the hardware streams from memory, as the copy did, without the copy's
     * writes), then the tiles over the block's strips, now in cache, straight from the weight: 8
     * rows at a time (4 with 16 registers), then 4, then 1.
     */
    private static void directBlock(float[] out, int outOffset, float[] x, int xOffset, int rows, Tensor w, int in,
            int nOut, int o0, int width, int kStart, int kn, boolean first) {
        MemorySegment seg = w.segment();
        boolean bf16 = w.dtype() == DType.BF16;
        int size = bf16 ? 2 : 4;
        long rowBytes = (long) size * nOut;
        long base = w.byteOffset() + size * ((long) kStart * nOut + o0);
        long runBytes = (long) size * width;
        int touched = 0;
        for (int k = 0; k < kn; k++) {
            long run = base + k * rowBytes;
            for (long b = 0; b < runBytes; b += 64) {
                touched += seg.get(ValueLayout.JAVA_BYTE, run + b);
            }
        }
        GemvScratch.sink()[0] += touched;
        int tiled = width - width % (2 * L);
        int widest = Simd.REGISTERS >= 32 ? 8 : 4;
        for (int o = 0; o < tiled; o += 2 * L) { // each tile's strip stays in cache for every row
            for (int r = 0, n; r < rows; r += n) {
                n = rows - r >= widest ? widest : rows - r >= 4 ? 4 : 1;
                int y = outOffset + r * nOut + o0;
                int xo = xOffset + r * in + kStart;
                if (bf16) {
                    switch (n) {
                        case 8 -> EachRowTileKernels.rows8Bf16(out, y, nOut, x, xo, in, seg, base, rowBytes, kn, o,
                                first);
                        case 4 -> EachRowTileKernels.rows4Bf16(out, y, nOut, x, xo, in, seg, base, rowBytes, kn, o,
                                first);
                        default -> EachRowTileKernels.rows1Bf16(out, y, nOut, x, xo, in, seg, base, rowBytes, kn, o,
                                first);
                    }
                } else {
                    switch (n) {
                        case 8 -> EachRowTileKernels.rows8F32(out, y, nOut, x, xo, in, seg, base, rowBytes, kn, o,
                                first);
                        case 4 -> EachRowTileKernels.rows4F32(out, y, nOut, x, xo, in, seg, base, rowBytes, kn, o,
                                first);
                        default -> EachRowTileKernels.rows1F32(out, y, nOut, x, xo, in, seg, base, rowBytes, kn, o,
                                first);
                    }
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            int y = outOffset + r * nOut + o0;
            int xo = xOffset + r * in + kStart;
            for (int o = tiled; o < width; o++) {
                float acc = first ? 0f : out[y + o];
                for (int k = 0; k < kn; k++) {
                    long at = base + k * rowBytes + (long) size * o;
                    float wv = bf16 ? DType.bf16ToF32(seg.get(I16, at)) : seg.get(F32, at);
                    acc = Math.fma(wv, x[xo + k], acc);
                }
                out[y + o] = acc;
            }
        }
    }

    /** {@link #multiply} for at most {@link #CHUNK} outputs. */
    private static void multiplyChunk(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear linear,
            int o0, int o1, int k0, int k1) {
        Tensor w = linear.weight();
        int in = linear.in();
        int nOut = linear.out();
        int width = o1 - o0;
        if (width <= 0 || k1 <= k0) {
            return;
        }
        int kb = Math.max(1, Math.min(k1 - k0, BLOCK_FLOATS / width));
        // F32 and BF16 are read in place (directBlock); F16 is widened into a block
        boolean direct = w.dtype() == DType.F32 || w.dtype() == DType.BF16;
        float[] block = direct ? null : Scratch.get(Scratch.EACH_ROW, kb * width);
        int tiled = width - width % (2 * L);
        for (int kStart = k0; kStart < k1; kStart += kb) {
            int kn = Math.min(kb, k1 - kStart);
            boolean first = kStart == k0;
            if (direct) {
                directBlock(out, outOffset, x, xOffset, rows, w, in, nOut, o0, width, kStart, kn, first);
                continue;
            }
            for (int k = 0; k < kn; k++) {
                Widen.tensor(w, (long) (kStart + k) * nOut + o0, block, k * width, width);
            }
            for (int o = 0; o < tiled; o += 2 * L) { // each tile's strip of the block stays in L1 for every row
                int r = 0;
                if (Simd.REGISTERS >= 32) {
                    for (; r + 8 <= rows; r += 8) {
                        EachRowTileKernels.rows8(out, outOffset + r * nOut + o0, nOut, x, xOffset + r * in + kStart, in,
                                block, width, kn, o, first);
                    }
                }
                for (; r + 4 <= rows; r += 4) {
                    EachRowTileKernels.rows4(out, outOffset + r * nOut + o0, nOut, x, xOffset + r * in + kStart, in,
                            block, width, kn, o, first);
                }
                for (; r < rows; r++) {
                    EachRowTileKernels.rows1(out, outOffset + r * nOut + o0, nOut, x, xOffset + r * in + kStart, in,
                            block, width, kn, o, first);
                }
            }
            for (int r = 0; r < rows; r++) {
                int y = outOffset + r * nOut + o0;
                int xo = xOffset + r * in + kStart;
                for (int o = tiled; o < width; o++) {
                    float acc = first ? 0f : out[y + o];
                    for (int k = 0; k < kn; k++) {
                        acc = Math.fma(block[k * width + o], x[xo + k], acc);
                    }
                    out[y + o] = acc;
                }
            }
        }
    }
}
