package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * One input row times a weight matrix: the decode step. Memory-bound, so each weight byte is read
 * once, widened in registers, and used at once; the input row stays in L1.
 *
 * <p>Arithmetic, which the thread split never changes:
 * <ul>
 *   <li>OUT_IN (dot products): output {@code o} is the fixed-tree sum of L lane-wise FMA chains
 *       over {@code i ≡ lane (mod L)}, then the input tail added by scalar FMAs, then the bias;
 *   <li>IN_OUT (rows of axpy): output {@code o} is one FMA chain over {@code i} in order, starting
 *       from 0, then the bias — the same arithmetic as {@link Gemm}.
 * </ul>
 */
final class Gemv {
    /** Output rows computed together in the OUT_IN kernel: independent FMA chains hide latency. */
    static final int OUT_IN_ROWS = 4;
    /** Input rows folded into the output block per pass in the IN_OUT kernel. */
    private static final int IN_OUT_ROWS = 4;
    /** Output columns kept in L1 while the IN_OUT kernel sweeps all input rows over them. */
    private static final int IN_OUT_BLOCK = 2048;

    private Gemv() {
    }

    /** {@code out[o] = dot(W[o, :], x) + b[o]} for {@code o} in {@code [o0, o1)}, W stored [out, in]. */
    static void outIn(float[] out, int outOffset, float[] x, int xOffset, Linear linear, int o0, int o1) {
        Tensor w = linear.weight();
        MemorySegment seg = w.segment();
        long base = w.byteOffset();
        int in = linear.in();
        int o = o0;
        switch (w.dtype()) {
            case F32 -> {
                for (; o + 4 <= o1; o += 4) {
                    outInF32x4(out, outOffset + o, x, xOffset, seg, base + (long) o * in * 4, in);
                }
                for (; o < o1; o++) {
                    outInF32x1(out, outOffset + o, x, xOffset, seg, base + (long) o * in * 4, in);
                }
            }
            case F16 -> {
                for (; o + 4 <= o1; o += 4) {
                    outIn16x4(out, outOffset + o, x, xOffset, seg, base + (long) o * in * 2, in, false);
                }
                for (; o < o1; o++) {
                    outIn16x1(out, outOffset + o, x, xOffset, seg, base + (long) o * in * 2, in, false);
                }
            }
            case BF16 -> {
                for (; o + 4 <= o1; o += 4) {
                    outIn16x4(out, outOffset + o, x, xOffset, seg, base + (long) o * in * 2, in, true);
                }
                for (; o < o1; o++) {
                    outIn16x1(out, outOffset + o, x, xOffset, seg, base + (long) o * in * 2, in, true);
                }
            }
            default -> throw new IllegalArgumentException("unsupported weight " + w);
        }
        addBias(out, outOffset, linear.bias(), o0, o1);
    }

    private static void outInF32x4(float[] out, int o, float[] x, int xOffset, MemorySegment seg, long row0, int in) {
        long stride = (long) in * 4;
        long row1 = row0 + stride;
        long row2 = row1 + stride;
        long row3 = row2 + stride;
        FloatVector a0 = F.zero().reinterpretAsFloats();
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int bound = F.loopBound(in);
        for (int i = 0; i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOffset + i);
            long b = (long) i * 4;
            a0 = Simd.loadF32(seg, row0 + b).fma(xv, a0);
            a1 = Simd.loadF32(seg, row1 + b).fma(xv, a1);
            a2 = Simd.loadF32(seg, row2 + b).fma(xv, a2);
            a3 = Simd.loadF32(seg, row3 + b).fma(xv, a3);
        }
        out[o] = tailF32(Simd.sum(a0), x, xOffset, seg, row0, bound, in);
        out[o + 1] = tailF32(Simd.sum(a1), x, xOffset, seg, row1, bound, in);
        out[o + 2] = tailF32(Simd.sum(a2), x, xOffset, seg, row2, bound, in);
        out[o + 3] = tailF32(Simd.sum(a3), x, xOffset, seg, row3, bound, in);
    }

    private static void outInF32x1(float[] out, int o, float[] x, int xOffset, MemorySegment seg, long row0, int in) {
        FloatVector a0 = F.zero().reinterpretAsFloats();
        int bound = F.loopBound(in);
        for (int i = 0; i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOffset + i);
            a0 = Simd.loadF32(seg, row0 + (long) i * 4).fma(xv, a0);
        }
        out[o] = tailF32(Simd.sum(a0), x, xOffset, seg, row0, bound, in);
    }

    private static float tailF32(float sum, float[] x, int xOffset, MemorySegment seg, long row, int from, int in) {
        for (int i = from; i < in; i++) {
            sum = Math.fma(x[xOffset + i], seg.get(Elements.F32, row + (long) i * 4), sum);
        }
        return sum;
    }

    private static FloatVector load16(MemorySegment seg, long offset, boolean bf16) {
        return bf16 ? Simd.loadBf16(seg, offset) : Simd.loadF16(seg, offset);
    }

    private static void outIn16x4(float[] out, int o, float[] x, int xOffset, MemorySegment seg, long row0, int in,
            boolean bf16) {
        long stride = (long) in * 2;
        long row1 = row0 + stride;
        long row2 = row1 + stride;
        long row3 = row2 + stride;
        FloatVector a0 = F.zero().reinterpretAsFloats();
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int bound = F.loopBound(in);
        if (bf16) {
            for (int i = 0; i < bound; i += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xOffset + i);
                long b = (long) i * 2;
                a0 = Simd.loadBf16(seg, row0 + b).fma(xv, a0);
                a1 = Simd.loadBf16(seg, row1 + b).fma(xv, a1);
                a2 = Simd.loadBf16(seg, row2 + b).fma(xv, a2);
                a3 = Simd.loadBf16(seg, row3 + b).fma(xv, a3);
            }
        } else {
            for (int i = 0; i < bound; i += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xOffset + i);
                long b = (long) i * 2;
                a0 = Simd.loadF16(seg, row0 + b).fma(xv, a0);
                a1 = Simd.loadF16(seg, row1 + b).fma(xv, a1);
                a2 = Simd.loadF16(seg, row2 + b).fma(xv, a2);
                a3 = Simd.loadF16(seg, row3 + b).fma(xv, a3);
            }
        }
        out[o] = tail16(Simd.sum(a0), x, xOffset, seg, row0, bound, in, bf16);
        out[o + 1] = tail16(Simd.sum(a1), x, xOffset, seg, row1, bound, in, bf16);
        out[o + 2] = tail16(Simd.sum(a2), x, xOffset, seg, row2, bound, in, bf16);
        out[o + 3] = tail16(Simd.sum(a3), x, xOffset, seg, row3, bound, in, bf16);
    }

    private static void outIn16x1(float[] out, int o, float[] x, int xOffset, MemorySegment seg, long row0, int in,
            boolean bf16) {
        FloatVector a0 = F.zero().reinterpretAsFloats();
        int bound = F.loopBound(in);
        for (int i = 0; i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOffset + i);
            a0 = load16(seg, row0 + (long) i * 2, bf16).fma(xv, a0);
        }
        out[o] = tail16(Simd.sum(a0), x, xOffset, seg, row0, bound, in, bf16);
    }

    private static float tail16(float sum, float[] x, int xOffset, MemorySegment seg, long row, int from, int in,
            boolean bf16) {
        for (int i = from; i < in; i++) {
            short h = seg.get(Elements.I16, row + (long) i * 2);
            float wv = bf16 ? DType.bf16ToF32(h) : DType.f16ToF32(h);
            sum = Math.fma(x[xOffset + i], wv, sum);
        }
        return sum;
    }

    /** {@code out[o] = Σ_i x[i]·W[i, o] + b[o]} for {@code o} in {@code [o0, o1)}, W stored [in, out]. */
    static void inOut(float[] out, int outOffset, float[] x, int xOffset, Linear linear, int o0, int o1) {
        Tensor w = linear.weight();
        MemorySegment seg = w.segment();
        long base = w.byteOffset();
        DType dtype = w.dtype();
        int in = linear.in();
        long rowBytes = (long) linear.out() * dtype.byteSize();
        for (int c0 = o0; c0 < o1; c0 += IN_OUT_BLOCK) {
            int c1 = Math.min(o1, c0 + IN_OUT_BLOCK);
            java.util.Arrays.fill(out, outOffset + c0, outOffset + c1, 0f);
            int i = 0;
            for (; i + IN_OUT_ROWS <= in; i += IN_OUT_ROWS) {
                long row = base + i * rowBytes;
                switch (dtype) {
                    case F32 -> axpy4F32(out, outOffset, x, xOffset + i, seg, row, rowBytes, c0, c1);
                    case F16 -> axpy4x16(out, outOffset, x, xOffset + i, seg, row, rowBytes, c0, c1, false);
                    case BF16 -> axpy4x16(out, outOffset, x, xOffset + i, seg, row, rowBytes, c0, c1, true);
                    default -> throw new IllegalArgumentException("unsupported weight " + w);
                }
            }
            for (; i < in; i++) {
                axpy1(out, outOffset, x[xOffset + i], dtype, seg, base + i * rowBytes, c0, c1);
            }
        }
        addBias(out, outOffset, linear.bias(), o0, o1);
    }

    private static void axpy4F32(float[] out, int outOffset, float[] x, int xi, MemorySegment seg, long row0,
            long rowBytes, int c0, int c1) {
        float s0 = x[xi];
        float s1 = x[xi + 1];
        float s2 = x[xi + 2];
        float s3 = x[xi + 3];
        FloatVector x0 = FloatVector.broadcast(F, s0);
        FloatVector x1 = FloatVector.broadcast(F, s1);
        FloatVector x2 = FloatVector.broadcast(F, s2);
        FloatVector x3 = FloatVector.broadcast(F, s3);
        long row1 = row0 + rowBytes;
        long row2 = row1 + rowBytes;
        long row3 = row2 + rowBytes;
        int c = c0;
        for (int bound = c0 + F.loopBound(c1 - c0); c < bound; c += L) {
            long b = (long) c * 4;
            FloatVector acc = FloatVector.fromArray(F, out, outOffset + c);
            acc = Simd.loadF32(seg, row0 + b).fma(x0, acc);
            acc = Simd.loadF32(seg, row1 + b).fma(x1, acc);
            acc = Simd.loadF32(seg, row2 + b).fma(x2, acc);
            acc = Simd.loadF32(seg, row3 + b).fma(x3, acc);
            acc.intoArray(out, outOffset + c);
        }
        for (; c < c1; c++) {
            long b = (long) c * 4;
            float acc = out[outOffset + c];
            acc = Math.fma(seg.get(Elements.F32, row0 + b), s0, acc);
            acc = Math.fma(seg.get(Elements.F32, row1 + b), s1, acc);
            acc = Math.fma(seg.get(Elements.F32, row2 + b), s2, acc);
            acc = Math.fma(seg.get(Elements.F32, row3 + b), s3, acc);
            out[outOffset + c] = acc;
        }
    }

    private static void axpy4x16(float[] out, int outOffset, float[] x, int xi, MemorySegment seg, long row0,
            long rowBytes, int c0, int c1, boolean bf16) {
        float s0 = x[xi];
        float s1 = x[xi + 1];
        float s2 = x[xi + 2];
        float s3 = x[xi + 3];
        FloatVector x0 = FloatVector.broadcast(F, s0);
        FloatVector x1 = FloatVector.broadcast(F, s1);
        FloatVector x2 = FloatVector.broadcast(F, s2);
        FloatVector x3 = FloatVector.broadcast(F, s3);
        long row1 = row0 + rowBytes;
        long row2 = row1 + rowBytes;
        long row3 = row2 + rowBytes;
        int c = c0;
        int bound = c0 + F.loopBound(c1 - c0);
        if (bf16) {
            for (; c < bound; c += L) {
                long b = (long) c * 2;
                FloatVector acc = FloatVector.fromArray(F, out, outOffset + c);
                acc = Simd.loadBf16(seg, row0 + b).fma(x0, acc);
                acc = Simd.loadBf16(seg, row1 + b).fma(x1, acc);
                acc = Simd.loadBf16(seg, row2 + b).fma(x2, acc);
                acc = Simd.loadBf16(seg, row3 + b).fma(x3, acc);
                acc.intoArray(out, outOffset + c);
            }
        } else {
            for (; c < bound; c += L) {
                long b = (long) c * 2;
                FloatVector acc = FloatVector.fromArray(F, out, outOffset + c);
                acc = Simd.loadF16(seg, row0 + b).fma(x0, acc);
                acc = Simd.loadF16(seg, row1 + b).fma(x1, acc);
                acc = Simd.loadF16(seg, row2 + b).fma(x2, acc);
                acc = Simd.loadF16(seg, row3 + b).fma(x3, acc);
                acc.intoArray(out, outOffset + c);
            }
        }
        for (; c < c1; c++) {
            long b = (long) c * 2;
            float acc = out[outOffset + c];
            acc = Math.fma(widen16(seg, row0 + b, bf16), s0, acc);
            acc = Math.fma(widen16(seg, row1 + b, bf16), s1, acc);
            acc = Math.fma(widen16(seg, row2 + b, bf16), s2, acc);
            acc = Math.fma(widen16(seg, row3 + b, bf16), s3, acc);
            out[outOffset + c] = acc;
        }
    }

    private static float widen16(MemorySegment seg, long offset, boolean bf16) {
        short h = seg.get(Elements.I16, offset);
        return bf16 ? DType.bf16ToF32(h) : DType.f16ToF32(h);
    }

    private static void axpy1(float[] out, int outOffset, float s, DType dtype, MemorySegment seg, long row,
            int c0, int c1) {
        FloatVector xv = FloatVector.broadcast(F, s);
        int size = dtype.byteSize();
        int c = c0;
        for (int bound = c0 + F.loopBound(c1 - c0); c < bound; c += L) {
            FloatVector acc = FloatVector.fromArray(F, out, outOffset + c);
            Simd.load(dtype, seg, row, c).fma(xv, acc).intoArray(out, outOffset + c);
        }
        for (; c < c1; c++) {
            long b = row + (long) c * size;
            float wv = switch (dtype) {
                case F32 -> seg.get(Elements.F32, b);
                case F16 -> DType.f16ToF32(seg.get(Elements.I16, b));
                default -> DType.bf16ToF32(seg.get(Elements.I16, b));
            };
            out[outOffset + c] = Math.fma(wv, s, out[outOffset + c]);
        }
    }

    /** {@code out[o] += b[o]} for {@code o} in {@code [o0, o1)}; nothing when there is no bias. */
    static void addBias(float[] out, int outOffset, Tensor bias, int o0, int o1) {
        if (bias == null) {
            return;
        }
        int o = o0;
        for (int bound = o0 + F.loopBound(o1 - o0); o < bound; o += L) {
            FloatVector.fromArray(F, out, outOffset + o).add(Simd.load(bias, o)).intoArray(out, outOffset + o);
        }
        for (; o < o1; o++) {
            out[outOffset + o] += Elements.get(bias, o);
        }
    }
}
