package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Many input rows times a weight matrix: the prefill step, compute-bound. Goto/BLIS structure:
 * for each block of {@link #KC} inputs, the rows of x are packed into slivers of {@link #MR} rows
 * ([kc][MR], so one micro-kernel step broadcasts MR consecutive floats), and blocks of the weight
 * into panels of {@link #NR} outputs ([kc][NR] f32 — F16/BF16 are widened here, once per panel).
 * The micro-kernel keeps an MR×NR tile of outputs in registers and does MR·NR/L FMAs per step;
 * the tile follows the CPU's vector length and register file ({@link GemmTile}), and its kernel
 * is generated ({@link GemmKernels}).
 *
 * <p>Arithmetic: every output is one FMA chain over the inputs in order, starting from 0 (tiles
 * of later input blocks continue from the stored partial sums), then the bias is added. Block
 * sizes and the thread split (over output panels) therefore never change a bit of the result,
 * and the result equals {@link GemvColumns}' path.
 */
final class Gemm {
    /** Rows of x per micro-kernel tile. */
    static final int MR = GemmTile.CHOSEN.rows();
    /** Output vectors per micro-kernel tile. */
    static final int NV = GemmTile.CHOSEN.vectors();
    /** Outputs per micro-kernel tile. */
    static final int NR = NV * L;
    /** Inputs per packed block. */
    static final int KC = 256;
    /** Outputs per packed weight block, about 512 and a multiple of NR: KC·NC floats stay in L2. */
    static final int NC = Math.max(NR, 512 / NR * NR);

    private Gemm() {
    }

    /** Floats of x-pack scratch for {@code rows} rows. */
    static int xPackSize(int rows) {
        return ceilDiv(rows, MR) * MR * KC;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Computes output columns {@code [c0, c1)} of all {@code rows} rows, using this thread's
     * scratch buffers.
     */
    static void compute(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear linear, int c0, int c1) {
        compute(out, outOffset, x, xOffset, rows, linear, c0, c1, 0, linear.in(), true);
    }

    /**
     * As {@link #compute(float[], int, float[], int, int, Linear, int, int)} over the inputs
     * {@code [kStart, kEnd)} only (each output one FMA chain over them, from 0), the bias added
     * only when {@code addBias}: one part of a product split over its inputs.
     */
    static void compute(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear linear, int c0, int c1,
            int kStart, int kEnd, boolean addBias) {
        compute(out, outOffset, x, xOffset, rows, linear, null, c0, c1, kStart, kEnd, addBias);
    }

    /**
     * As {@link #compute(float[], int, float[], int, int, Linear, int, int)} for Q8_0/Q4_0 weights:
     * the packing dequantizes the blocks (exactly), the rest is the f32 GEMM.
     */
    static void compute(float[] out, int outOffset, float[] x, int xOffset, int rows, QuantizedLinear q, int c0,
            int c1) {
        compute(out, outOffset, x, xOffset, rows, null, q, c0, c1, 0, q.in(), true);
    }

    /** The GEMM over {@code linear}'s weights, or {@code quantized}'s when {@code linear} is null. */
    private static void compute(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear linear,
            QuantizedLinear quantized, int c0, int c1, int kStart, int kEnd, boolean addBias) {
        int in = linear != null ? linear.in() : quantized.in();
        int nOut = linear != null ? linear.out() : quantized.out();
        int mPanels = ceilDiv(rows, MR);
        float[] xPack = Scratch.get(Scratch.X_PACK, xPackSize(rows));
        float[] wPack = Scratch.get(Scratch.W_PACK, NC * KC);
        float[] tile = Scratch.get(Scratch.TILE, MR * NR);
        float[] widened = Scratch.get(Scratch.WEIGHTS, Math.max(NC, L * KC));
        for (int k0 = kStart; k0 < kEnd; k0 += KC) {
            int kc = Math.min(KC, kEnd - k0);
            packX(xPack, x, xOffset, rows, in, k0, kc);
            for (int n0 = c0; n0 < c1; n0 += NC) {
                int nc = Math.min(NC, c1 - n0);
                int nPanels = ceilDiv(nc, NR);
                if (linear == null) {
                    packQuantized(wPack, quantized, k0, kc, n0, nc, widened);
                } else if (linear.layout() == Linear.Layout.IN_OUT) {
                    packInOut(wPack, linear.weight(), nOut, k0, kc, n0, nc);
                } else {
                    packOutIn(wPack, linear.weight(), in, k0, kc, n0, nc, widened);
                }
                boolean first = k0 == kStart;
                for (int mp = 0; mp < mPanels; mp++) {
                    int m0 = mp * MR;
                    int mr = Math.min(MR, rows - m0);
                    int xBase = mp * kc * MR;
                    for (int np = 0; np < nPanels; np++) {
                        int col = n0 + np * NR;
                        int nr = Math.min(NR, c1 - col);
                        int wBase = np * kc * NR;
                        int cBase = outOffset + m0 * nOut + col;
                        if (mr == MR && nr == NR) {
                            kernel(xPack, xBase, wPack, wBase, kc, out, cBase, nOut, first);
                        } else {
                            edgeTile(xPack, xBase, wPack, wBase, kc, out, cBase, nOut, mr, nr, first, tile);
                        }
                    }
                }
            }
        }
        if (addBias) {
            addBias(out, outOffset, rows, nOut, linear != null ? linear.bias() : quantized.bias(), c0, c1);
        }
    }

    /** {@code out[r, c] += b[c]} for every row and {@code c} in {@code [c0, c1)}, the bias widened once. */
    private static void addBias(float[] out, int outOffset, int rows, int nOut, Tensor bias, int c0, int c1) {
        if (bias == null || c1 <= c0) {
            return;
        }
        int n = c1 - c0;
        float[] b = Scratch.get(Scratch.PARAMS, n);
        Widen.tensor(bias, c0, b, 0, n);
        for (int r = 0; r < rows; r++) {
            int y = outOffset + r * nOut + c0;
            int i = 0;
            for (int bound = F.loopBound(n); i < bound; i += L) {
                FloatVector.fromArray(F, out, y + i).add(FloatVector.fromArray(F, b, i)).intoArray(out, y + i);
            }
            for (; i < n; i++) {
                out[y + i] += b[i];
            }
        }
    }

    /** x[rows, k0 .. k0+kc) → [mPanels][kc][MR], rows past the end zero. */
    static void packX(float[] xPack, float[] x, int xOffset, int rows, int in, int k0, int kc) {
        int mPanels = ceilDiv(rows, MR);
        for (int mp = 0; mp < mPanels; mp++) {
            int base = mp * kc * MR;
            for (int r = 0; r < MR; r++) {
                int row = mp * MR + r;
                if (row < rows) {
                    int src = xOffset + row * in + k0;
                    for (int k = 0; k < kc; k++) {
                        xPack[base + k * MR + r] = x[src + k];
                    }
                } else {
                    for (int k = 0; k < kc; k++) {
                        xPack[base + k * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * W[k0 .. k0+kc, n0 .. n0+nc) of an [in, out] weight → [nPanels][kc][NR] f32, columns past nc
     * zero. Panel by panel, each k-row's NR weights straight from the weight into their place:
     * writes in order, each weight line read once (widening a whole k-row into {@code row} first,
     * then scattering it over the panels, cost a fifth of the GEMM's time in a GPT-2 prefill).
     */
    static void packInOut(float[] wPack, Tensor w, int nOut, int k0, int kc, int n0, int nc) {
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        int size = dtype.byteSize();
        long first = w.byteOffset() + ((long) k0 * nOut + n0) * size;
        long stride = (long) nOut * size;
        int fullPanels = nc / NR;
        int tail = nc - fullPanels * NR;
        for (int np = 0; np < fullPanels; np++) {
            long at = first + (long) np * NR * size;
            int dst = np * kc * NR;
            if (dtype == DType.F32) {
                for (int k = 0; k < kc; k++, at += stride, dst += NR) {
                    for (int v = 0; v < NR; v += L) {
                        FloatVector.fromMemorySegment(F, seg, at + 4L * v, Simd.LE).intoArray(wPack, dst + v);
                    }
                }
            } else {
                for (int k = 0; k < kc; k++, at += stride, dst += NR) {
                    Widen.widen(dtype, seg, at, wPack, dst, NR);
                }
            }
        }
        if (tail > 0) {
            long at = first + (long) fullPanels * NR * size;
            int dst = fullPanels * kc * NR;
            for (int k = 0; k < kc; k++, at += stride, dst += NR) {
                Widen.widen(dtype, seg, at, wPack, dst, tail);
                Arrays.fill(wPack, dst + tail, dst + NR, 0f);
            }
        }
    }

    /**
     * W[n0 .. n0+nc, k0 .. k0+kc) of an [out, in] weight, transposed → [nPanels][kc][NR] f32. For
     * each L outputs, their L runs of kc weights are widened into {@code block} ([L][kc]), then
     * L×L sub-blocks are transposed in registers ({@link Transpose16}); rows past nc are zero.
     */
    static void packOutIn(float[] wPack, Tensor w, int in, int k0, int kc, int n0, int nc, float[] block) {
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        int size = dtype.byteSize();
        long rowBytes = (long) in * size;
        int kBound = Transpose16.supported() ? kc - kc % L : 0;
        int nPanels = ceilDiv(nc, NR);
        for (int np = 0; np < nPanels; np++) {
            int dst = np * kc * NR;
            for (int j0 = 0; j0 < NR; j0 += L) {
                int first = np * NR + j0; // output index relative to n0
                for (int j = 0; j < L; j++) {
                    if (first + j < nc) {
                        Widen.widen(dtype, seg, w.byteOffset() + (n0 + first + j) * rowBytes + (long) k0 * size,
                                block, j * kc, kc);
                    } else {
                        Arrays.fill(block, j * kc, (j + 1) * kc, 0f);
                    }
                }
                for (int k = 0; k < kBound; k += L) {
                    Transpose16.transpose(block, k, kc, wPack, dst + k * NR + j0, NR);
                }
                for (int k = kBound; k < kc; k++) {
                    for (int j = 0; j < L; j++) {
                        wPack[dst + k * NR + j0 + j] = block[j * kc + k];
                    }
                }
            }
        }
    }

    /**
     * As {@link #packOutIn} for Q8_0/Q4_0 rows: each output's kc weights (whole blocks: KC and the
     * row length are multiples of 32) dequantized into {@code block}, then transposed.
     */
    static void packQuantized(float[] wPack, QuantizedLinear q, int k0, int kc, int n0, int nc, float[] block) {
        int kBound = Transpose16.supported() ? kc - kc % L : 0;
        int nPanels = ceilDiv(nc, NR);
        for (int np = 0; np < nPanels; np++) {
            int dst = np * kc * NR;
            for (int j0 = 0; j0 < NR; j0 += L) {
                int first = np * NR + j0; // output index relative to n0
                for (int j = 0; j < L; j++) {
                    if (first + j < nc) {
                        BlockMatmul.dequantize(q.weight(), n0 + first + j, k0, kc, block, j * kc);
                    } else {
                        Arrays.fill(block, j * kc, (j + 1) * kc, 0f);
                    }
                }
                for (int k = 0; k < kBound; k += L) {
                    Transpose16.transpose(block, k, kc, wPack, dst + k * NR + j0, NR);
                }
                for (int k = kBound; k < kc; k++) {
                    for (int j = 0; j < L; j++) {
                        wPack[dst + k * NR + j0 + j] = block[j * kc + k];
                    }
                }
            }
        }
    }

    /** A partial tile (at the bottom or right edge): computed in a full-size scratch tile. */
    private static void edgeTile(float[] xPack, int xBase, float[] wPack, int wBase, int kc, float[] out, int cBase,
            int ldc, int mr, int nr, boolean first, float[] tile) {
        if (!first) {
            for (int r = 0; r < mr; r++) {
                System.arraycopy(out, cBase + r * ldc, tile, r * NR, nr);
            }
        }
        kernel(xPack, xBase, wPack, wBase, kc, tile, 0, NR, first);
        for (int r = 0; r < mr; r++) {
            System.arraycopy(tile, r * NR, out, cBase + r * ldc, nr);
        }
    }

    /** The micro-kernel of the chosen tile (a switch on constants: C2 keeps only the one case). */
    static void kernel(float[] xp, int xBase, float[] wp, int wBase, int kc, float[] c, int cBase, int ldc,
            boolean first) {
        switch (MR * 16 + NV) {
            case 8 * 16 + 2 -> GemmKernels.tile8x2(xp, xBase, wp, wBase, kc, c, cBase, ldc, first);
            case 8 * 16 + 3 -> GemmKernels.tile8x3(xp, xBase, wp, wBase, kc, c, cBase, ldc, first);
            case 5 * 16 + 2 -> GemmKernels.tile5x2(xp, xBase, wp, wBase, kc, c, cBase, ldc, first);
            case 6 * 16 + 2 -> GemmKernels.tile6x2(xp, xBase, wp, wBase, kc, c, cBase, ldc, first);
            case 3 * 16 + 3 -> GemmKernels.tile3x3(xp, xBase, wp, wBase, kc, c, cBase, ldc, first);
            case 4 * 16 + 2 -> GemmKernels.tile4x2(xp, xBase, wp, wBase, kc, c, cBase, ldc, first);
            case 6 * 16 + 3 -> GemmKernels.tile6x3(xp, xBase, wp, wBase, kc, c, cBase, ldc, first);
            case 12 * 16 + 2 -> GemmKernels.tile12x2(xp, xBase, wp, wBase, kc, c, cBase, ldc, first);
            default -> throw new IllegalStateException("no kernel for the GEMM tile " + GemmTile.CHOSEN);
        }
    }
}
