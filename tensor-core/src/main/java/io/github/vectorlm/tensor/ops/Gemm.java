package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
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
 * and the result equals {@link Gemv}'s IN_OUT path.
 */
final class Gemm {
    /** Rows of x per micro-kernel tile. */
    static final int MR = 6;
    /** Outputs per micro-kernel tile: two vectors. */
    static final int NR = 2 * L;
    /** Inputs per packed block. */
    static final int KC = 256;
    /** Outputs per packed weight block (a multiple of NR): KC·NC floats stay in L2. */
    static final int NC = 512;

    static final int X_SLOT = 0;
    static final int W_SLOT = 1;
    static final int TILE_SLOT = 2;

    private static final int[] TRANSPOSE_INDEX = transposeIndex();

    private Gemm() {
    }

    private static int[] transposeIndex() {
        int[] index = new int[L];
        for (int i = 0; i < L; i++) {
            index[i] = i * NR;
        }
        return index;
    }

    /** Floats of x-pack scratch for {@code rows} rows. */
    static int xPackSize(int rows) {
        return ceilDiv(rows, MR) * MR * KC;
    }

    /** Floats of weight-pack scratch. */
    static int wPackSize() {
        return NC * KC;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Computes output columns {@code [c0, c1)} of all {@code rows} rows. {@code c0} is a multiple
     * of NR.
     */
    static void compute(float[] out, int outOffset, float[] x, int xOffset, int rows, Linear linear, int c0, int c1,
            float[] xPack, float[] wPack, float[] tile) {
        int in = linear.in();
        int nOut = linear.out();
        int mPanels = ceilDiv(rows, MR);
        for (int k0 = 0; k0 < in; k0 += KC) {
            int kc = Math.min(KC, in - k0);
            packX(xPack, x, xOffset, rows, in, k0, kc);
            for (int n0 = c0; n0 < c1; n0 += NC) {
                int nc = Math.min(NC, c1 - n0);
                int nPanels = ceilDiv(nc, NR);
                if (linear.layout() == Linear.Layout.IN_OUT) {
                    packInOut(wPack, linear.weight(), nOut, k0, kc, n0, nc);
                } else {
                    packOutIn(wPack, linear.weight(), in, k0, kc, n0, nc);
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
        for (int r = 0; r < rows; r++) {
            Gemv.addBias(out, outOffset + r * nOut, linear.bias(), c0, c1);
        }
    }

    /** x[rows, k0 .. k0+kc) → [mPanels][kc][MR], rows past the end zero. */
    private static void packX(float[] xPack, float[] x, int xOffset, int rows, int in, int k0, int kc) {
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

    /** W[k0 .. k0+kc, n0 .. n0+nc) of a [in, out] weight → [nPanels][kc][NR] f32, columns past nc zero. */
    private static void packInOut(float[] wPack, Tensor w, int nOut, int k0, int kc, int n0, int nc) {
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        long base = w.byteOffset();
        int nPanels = ceilDiv(nc, NR);
        for (int np = 0; np < nPanels; np++) {
            int col = n0 + np * NR;
            int width = Math.min(NR, nc - np * NR);
            int dst = np * kc * NR;
            if (width == NR) {
                for (int k = 0; k < kc; k++) {
                    long index = (long) (k0 + k) * nOut + col;
                    Simd.load(dtype, seg, base, index).intoArray(wPack, dst + k * NR);
                    Simd.load(dtype, seg, base, index + L).intoArray(wPack, dst + k * NR + L);
                }
            } else {
                for (int k = 0; k < kc; k++) {
                    long index = (long) (k0 + k) * nOut + col;
                    for (int j = 0; j < NR; j++) {
                        wPack[dst + k * NR + j] = j < width ? Elements.get(w, index + j) : 0f;
                    }
                }
            }
        }
    }

    /** W[n0 .. n0+nc, k0 .. k0+kc) of an [out, in] weight, transposed → [nPanels][kc][NR] f32. */
    private static void packOutIn(float[] wPack, Tensor w, int in, int k0, int kc, int n0, int nc) {
        DType dtype = w.dtype();
        MemorySegment seg = w.segment();
        long base = w.byteOffset();
        int nPanels = ceilDiv(nc, NR);
        int kBound = F.loopBound(kc);
        for (int np = 0; np < nPanels; np++) {
            int dst = np * kc * NR;
            for (int j = 0; j < NR; j++) {
                int n = n0 + np * NR + j;
                if (n >= n0 + nc) {
                    for (int k = 0; k < kc; k++) {
                        wPack[dst + k * NR + j] = 0f;
                    }
                    continue;
                }
                long row = (long) n * in + k0;
                int k = 0;
                for (; k < kBound; k += L) {
                    Simd.load(dtype, seg, base, row + k).intoArray(wPack, dst + k * NR + j, TRANSPOSE_INDEX, 0);
                }
                for (; k < kc; k++) {
                    wPack[dst + k * NR + j] = Elements.get(w, row + k);
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
     * The 6×2L register tile: {@code c[r, :] (+)= Σ_k xPack[k][r] · wPack[k][:]}, twelve
     * accumulators, two weight loads and six broadcasts per step.
     */
    static void kernel(float[] xp, int xBase, float[] wp, int wBase, int kc, float[] c, int cBase, int ldc,
            boolean first) {
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
        int r0 = cBase;
        int r1 = r0 + ldc;
        int r2 = r1 + ldc;
        int r3 = r2 + ldc;
        int r4 = r3 + ldc;
        int r5 = r4 + ldc;
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
    }
}
