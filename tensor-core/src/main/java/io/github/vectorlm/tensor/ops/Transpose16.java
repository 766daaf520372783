package io.github.vectorlm.tensor.ops;

import jdk.incubator.vector.FloatVector;

/**
 * In-register transpose of 16×16 float blocks (AVX-512: 16 floats per vector) for packing
 * [out, in] weights into GEMM panels. Four butterfly stages each swap bit t of the row index with
 * bit t of the lane index by one two-vector permute (vpermi2ps) per vector: 64 permutes per block.
 *
 * <p>Straight-line code with sixteen locals, not an array of vectors: vectors stored into an array
 * are boxed on the heap, which would cost more than the transpose itself.
 */
final class Transpose16 {

    private static final FloatVector LOW0 = index(0, false);
    private static final FloatVector HIGH0 = index(0, true);
    private static final FloatVector LOW1 = index(1, false);
    private static final FloatVector HIGH1 = index(1, true);
    private static final FloatVector LOW2 = index(2, false);
    private static final FloatVector HIGH2 = index(2, true);
    private static final FloatVector LOW3 = index(3, false);
    private static final FloatVector HIGH3 = index(3, true);

    private Transpose16() {
    }

    /**
     * Lane k of the output whose row bit t is 0 (or 1 when {@code high}) comes from the input row
     * whose bit t is k's bit t, at lane k with bit t cleared (or set); indices ≥ 16 select the
     * second vector.
     */
    private static FloatVector index(int t, boolean high) {
        int bit = 1 << t;
        float[] lanes = new float[16];
        for (int k = 0; k < 16; k++) {
            boolean set = (k & bit) != 0;
            lanes[k] = high ? (set ? 16 + k : k + bit) : (set ? 16 + k - bit : k);
        }
        return FloatVector.fromArray(Simd.F, lanes, 0);
    }

    /** Whether the preferred float vector has the 16 lanes this class is written for. */
    static boolean supported() {
        return Simd.L == 16;
    }

    /**
     * Reads the 16×16 block {@code src[j·srcStride + k0 + k]} (row j, column k) and writes element
     * (j, k) to {@code dst[dstOffset + k·dstStride + j]}.
     */
    static void transpose(float[] src, int k0, int srcStride, float[] dst, int dstOffset, int dstStride) {
        FloatVector r0 = FloatVector.fromArray(Simd.F, src, 0 * srcStride + k0);
        FloatVector r1 = FloatVector.fromArray(Simd.F, src, 1 * srcStride + k0);
        FloatVector r2 = FloatVector.fromArray(Simd.F, src, 2 * srcStride + k0);
        FloatVector r3 = FloatVector.fromArray(Simd.F, src, 3 * srcStride + k0);
        FloatVector r4 = FloatVector.fromArray(Simd.F, src, 4 * srcStride + k0);
        FloatVector r5 = FloatVector.fromArray(Simd.F, src, 5 * srcStride + k0);
        FloatVector r6 = FloatVector.fromArray(Simd.F, src, 6 * srcStride + k0);
        FloatVector r7 = FloatVector.fromArray(Simd.F, src, 7 * srcStride + k0);
        FloatVector r8 = FloatVector.fromArray(Simd.F, src, 8 * srcStride + k0);
        FloatVector r9 = FloatVector.fromArray(Simd.F, src, 9 * srcStride + k0);
        FloatVector r10 = FloatVector.fromArray(Simd.F, src, 10 * srcStride + k0);
        FloatVector r11 = FloatVector.fromArray(Simd.F, src, 11 * srcStride + k0);
        FloatVector r12 = FloatVector.fromArray(Simd.F, src, 12 * srcStride + k0);
        FloatVector r13 = FloatVector.fromArray(Simd.F, src, 13 * srcStride + k0);
        FloatVector r14 = FloatVector.fromArray(Simd.F, src, 14 * srcStride + k0);
        FloatVector r15 = FloatVector.fromArray(Simd.F, src, 15 * srcStride + k0);
        FloatVector a;
        FloatVector b;
        a = r0;
        b = r1;
        r0 = LOW0.selectFrom(a, b);
        r1 = HIGH0.selectFrom(a, b);
        a = r2;
        b = r3;
        r2 = LOW0.selectFrom(a, b);
        r3 = HIGH0.selectFrom(a, b);
        a = r4;
        b = r5;
        r4 = LOW0.selectFrom(a, b);
        r5 = HIGH0.selectFrom(a, b);
        a = r6;
        b = r7;
        r6 = LOW0.selectFrom(a, b);
        r7 = HIGH0.selectFrom(a, b);
        a = r8;
        b = r9;
        r8 = LOW0.selectFrom(a, b);
        r9 = HIGH0.selectFrom(a, b);
        a = r10;
        b = r11;
        r10 = LOW0.selectFrom(a, b);
        r11 = HIGH0.selectFrom(a, b);
        a = r12;
        b = r13;
        r12 = LOW0.selectFrom(a, b);
        r13 = HIGH0.selectFrom(a, b);
        a = r14;
        b = r15;
        r14 = LOW0.selectFrom(a, b);
        r15 = HIGH0.selectFrom(a, b);
        a = r0;
        b = r2;
        r0 = LOW1.selectFrom(a, b);
        r2 = HIGH1.selectFrom(a, b);
        a = r1;
        b = r3;
        r1 = LOW1.selectFrom(a, b);
        r3 = HIGH1.selectFrom(a, b);
        a = r4;
        b = r6;
        r4 = LOW1.selectFrom(a, b);
        r6 = HIGH1.selectFrom(a, b);
        a = r5;
        b = r7;
        r5 = LOW1.selectFrom(a, b);
        r7 = HIGH1.selectFrom(a, b);
        a = r8;
        b = r10;
        r8 = LOW1.selectFrom(a, b);
        r10 = HIGH1.selectFrom(a, b);
        a = r9;
        b = r11;
        r9 = LOW1.selectFrom(a, b);
        r11 = HIGH1.selectFrom(a, b);
        a = r12;
        b = r14;
        r12 = LOW1.selectFrom(a, b);
        r14 = HIGH1.selectFrom(a, b);
        a = r13;
        b = r15;
        r13 = LOW1.selectFrom(a, b);
        r15 = HIGH1.selectFrom(a, b);
        a = r0;
        b = r4;
        r0 = LOW2.selectFrom(a, b);
        r4 = HIGH2.selectFrom(a, b);
        a = r1;
        b = r5;
        r1 = LOW2.selectFrom(a, b);
        r5 = HIGH2.selectFrom(a, b);
        a = r2;
        b = r6;
        r2 = LOW2.selectFrom(a, b);
        r6 = HIGH2.selectFrom(a, b);
        a = r3;
        b = r7;
        r3 = LOW2.selectFrom(a, b);
        r7 = HIGH2.selectFrom(a, b);
        a = r8;
        b = r12;
        r8 = LOW2.selectFrom(a, b);
        r12 = HIGH2.selectFrom(a, b);
        a = r9;
        b = r13;
        r9 = LOW2.selectFrom(a, b);
        r13 = HIGH2.selectFrom(a, b);
        a = r10;
        b = r14;
        r10 = LOW2.selectFrom(a, b);
        r14 = HIGH2.selectFrom(a, b);
        a = r11;
        b = r15;
        r11 = LOW2.selectFrom(a, b);
        r15 = HIGH2.selectFrom(a, b);
        a = r0;
        b = r8;
        r0 = LOW3.selectFrom(a, b);
        r8 = HIGH3.selectFrom(a, b);
        a = r1;
        b = r9;
        r1 = LOW3.selectFrom(a, b);
        r9 = HIGH3.selectFrom(a, b);
        a = r2;
        b = r10;
        r2 = LOW3.selectFrom(a, b);
        r10 = HIGH3.selectFrom(a, b);
        a = r3;
        b = r11;
        r3 = LOW3.selectFrom(a, b);
        r11 = HIGH3.selectFrom(a, b);
        a = r4;
        b = r12;
        r4 = LOW3.selectFrom(a, b);
        r12 = HIGH3.selectFrom(a, b);
        a = r5;
        b = r13;
        r5 = LOW3.selectFrom(a, b);
        r13 = HIGH3.selectFrom(a, b);
        a = r6;
        b = r14;
        r6 = LOW3.selectFrom(a, b);
        r14 = HIGH3.selectFrom(a, b);
        a = r7;
        b = r15;
        r7 = LOW3.selectFrom(a, b);
        r15 = HIGH3.selectFrom(a, b);
        r0.intoArray(dst, dstOffset + 0 * dstStride);
        r1.intoArray(dst, dstOffset + 1 * dstStride);
        r2.intoArray(dst, dstOffset + 2 * dstStride);
        r3.intoArray(dst, dstOffset + 3 * dstStride);
        r4.intoArray(dst, dstOffset + 4 * dstStride);
        r5.intoArray(dst, dstOffset + 5 * dstStride);
        r6.intoArray(dst, dstOffset + 6 * dstStride);
        r7.intoArray(dst, dstOffset + 7 * dstStride);
        r8.intoArray(dst, dstOffset + 8 * dstStride);
        r9.intoArray(dst, dstOffset + 9 * dstStride);
        r10.intoArray(dst, dstOffset + 10 * dstStride);
        r11.intoArray(dst, dstOffset + 11 * dstStride);
        r12.intoArray(dst, dstOffset + 12 * dstStride);
        r13.intoArray(dst, dstOffset + 13 * dstStride);
        r14.intoArray(dst, dstOffset + 14 * dstStride);
        r15.intoArray(dst, dstOffset + 15 * dstStride);
    }
}
