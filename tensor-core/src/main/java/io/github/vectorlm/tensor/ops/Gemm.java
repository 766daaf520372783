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
 * The micro-kernel keeps an MR×NR tile of outputs in registers and does MR·NR/L FMAs per step.
 *
 * <p>Arithmetic: every output is one FMA chain over the inputs in order, starting from 0 (tiles
 * of later input blocks continue from the stored partial sums), then the bias is added. Block
 * sizes and the thread split (over output panels) therefore never change a bit of the result,
 * and the result equals {@link GemvColumns}' path.
 */
final class Gemm {
    /** Rows of x per micro-kernel tile. */
    static final int MR = 8;
    /** Outputs per micro-kernel tile: two vectors. */
    static final int NR = 2 * L;
    /** Inputs per packed block. */
    static final int KC = 256;
    /** Outputs per packed weight block (a multiple of NR): KC·NC floats stay in L2. */
    static final int NC = 512;

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
        int in = linear.in();
        int nOut = linear.out();
        int mPanels = ceilDiv(rows, MR);
        float[] xPack = Scratch.get(Scratch.X_PACK, xPackSize(rows));
        float[] wPack = Scratch.get(Scratch.W_PACK, NC * KC);
        float[] tile = Scratch.get(Scratch.TILE, MR * NR);
        float[] widened = Scratch.get(Scratch.WEIGHTS, Math.max(NC, L * KC));
        for (int k0 = 0; k0 < in; k0 += KC) {
            int kc = Math.min(KC, in - k0);
            packX(xPack, x, xOffset, rows, in, k0, kc);
            for (int n0 = c0; n0 < c1; n0 += NC) {
                int nc = Math.min(NC, c1 - n0);
                int nPanels = ceilDiv(nc, NR);
                if (linear.layout() == Linear.Layout.IN_OUT) {
                    packInOut(wPack, linear.weight(), nOut, k0, kc, n0, nc, widened);
                } else {
                    packOutIn(wPack, linear.weight(), in, k0, kc, n0, nc, widened);
                }
                boolean first = k0 == 0;
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
        addBias(out, outOffset, rows, nOut, linear.bias(), c0, c1);
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
     * zero: each k-row's run of nc weights is widened into {@code row}, then cut into panels.
     */
    static void packInOut(float[] wPack, Tensor w, int nOut, int k0, int kc, int n0, int nc, float[] row) {
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        int size = dtype.byteSize();
        long at = w.byteOffset() + ((long) k0 * nOut + n0) * size;
        long stride = (long) nOut * size;
        int fullPanels = nc / NR;
        int tail = nc - fullPanels * NR;
        for (int k = 0; k < kc; k++, at += stride) {
            Widen.widen(dtype, seg, at, row, 0, nc);
            int dst = k * NR;
            for (int np = 0; np < fullPanels; np++, dst += kc * NR) {
                FloatVector.fromArray(F, row, np * NR).intoArray(wPack, dst);
                FloatVector.fromArray(F, row, np * NR + L).intoArray(wPack, dst + L);
            }
            if (tail > 0) {
                System.arraycopy(row, fullPanels * NR, wPack, dst, tail);
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

    /**
     * The 8×2L register tile: {@code c[r, :] (+)= Σ_k xPack[k][r] · wPack[k][:]} with sixteen
     * accumulators, two weight loads and eight broadcasts per step (measured best of 4–14 rows ×
     * 2–4 vectors on Zen 4; 14×2 runs out of the 32 vector registers).
     */
    static void kernel(float[] xp, int xBase, float[] wp, int wBase, int kc, float[] c, int cBase, int ldc,
            boolean first) {
        int r0 = cBase + 0 * ldc;
        int r1 = cBase + 1 * ldc;
        int r2 = cBase + 2 * ldc;
        int r3 = cBase + 3 * ldc;
        int r4 = cBase + 4 * ldc;
        int r5 = cBase + 5 * ldc;
        int r6 = cBase + 6 * ldc;
        int r7 = cBase + 7 * ldc;
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        FloatVector c60;
        FloatVector c61;
        FloatVector c70;
        FloatVector c71;
        if (first) {
            c00 = FloatVector.zero(F);
            c01 = c00;
            c10 = c00;
            c11 = c00;
            c20 = c00;
            c21 = c00;
            c30 = c00;
            c31 = c00;
            c40 = c00;
            c41 = c00;
            c50 = c00;
            c51 = c00;
            c60 = c00;
            c61 = c00;
            c70 = c00;
            c71 = c00;
        } else {
            c00 = FloatVector.fromArray(F, c, r0);
            c01 = FloatVector.fromArray(F, c, r0 + L);
            c10 = FloatVector.fromArray(F, c, r1);
            c11 = FloatVector.fromArray(F, c, r1 + L);
            c20 = FloatVector.fromArray(F, c, r2);
            c21 = FloatVector.fromArray(F, c, r2 + L);
            c30 = FloatVector.fromArray(F, c, r3);
            c31 = FloatVector.fromArray(F, c, r3 + L);
            c40 = FloatVector.fromArray(F, c, r4);
            c41 = FloatVector.fromArray(F, c, r4 + L);
            c50 = FloatVector.fromArray(F, c, r5);
            c51 = FloatVector.fromArray(F, c, r5 + L);
            c60 = FloatVector.fromArray(F, c, r6);
            c61 = FloatVector.fromArray(F, c, r6 + L);
            c70 = FloatVector.fromArray(F, c, r7);
            c71 = FloatVector.fromArray(F, c, r7 + L);
        }
        int xi = xBase;
        int wi = wBase;
        for (int k = 0; k < kc; k++, xi += MR, wi += NR) {
            FloatVector b0 = FloatVector.fromArray(F, wp, wi);
            FloatVector b1 = FloatVector.fromArray(F, wp, wi + L);
            FloatVector a = FloatVector.broadcast(F, xp[xi]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(F, xp[xi + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(F, xp[xi + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(F, xp[xi + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(F, xp[xi + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(F, xp[xi + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(F, xp[xi + 6]);
            c60 = a.fma(b0, c60);
            c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(F, xp[xi + 7]);
            c70 = a.fma(b0, c70);
            c71 = a.fma(b1, c71);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
        c60.intoArray(c, r6);
        c61.intoArray(c, r6 + L);
        c70.intoArray(c, r7);
        c71.intoArray(c, r7 + L);
    }
}
