package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Q8_0 and Q4_0 inner loops, reading ggml's blocks in place (layouts in
 * {@link io.github.vectorlm.tensor.BlockType}): a row's dot product with f32 activations, and a
 * run of blocks dequantized into a float array (the GEMM's packing).
 *
 * <p>Arithmetic of {@link #dotQ8} and {@link #dotQ4}, which {@code BlockMatmulReference} spells out
 * in scalar code: every weight {@code q} is the block's integer ({@code q}, or the nibble minus 8)
 * as a float; for each block, lane-wise over vectors of {@link Simd#L} values in order,
 * {@code s = q₀·x₀}, then {@code s = fma(qₚ, xₚ, s)} for the block's other vectors; then
 * {@code acc = fma(s, d, acc)} with the block's f16 scale {@code d}; at the end the accumulator's
 * lanes are summed by the folds of {@link Simd#FOLD_8} (the order of {@link Simd#sumLanes}). A row's
 * result depends on nothing but the row and x.
 *
 * <p>Loads: bytes are only ever loaded as {@link Simd#B} vectors (4·L bytes), the package's one byte
 * shape. A block's 32 (Q8_0) or 16 (Q4_0) bytes are one whole vector from the block's first value
 * byte where the vector is that wide or wider, the bytes past the block unused, or two vectors
 * (Q8_0 at 128 bits). Only where such a vector would pass the end of the segment is the load masked:
 * a masked byte load measured half the speed of a plain one on Zen 5 (Q8_0 [768, 2304], one
 * thread: 8.5 against 17 GB/s), and {@link QuantizedLinear#quantize} pads its blocks so that no
 * load of its own needs the mask.
 * The vectors are widened to floats part by part ({@code convertShape(B2F, F, part)}). Q4_0's high
 * nibbles are taken as {@code (b & 0xF0) ^ 0x80}, which is {@code 16·(h - 8)} as a signed byte, and
 * multiplied by 1/16 after the widening (exact); x86 has no byte shift.
 *
 * <p>Q6_K ({@link #dotQ6K}; 256 values per block in 16 sub-blocks of 16, each with an int8 scale,
 * and one f16 {@code d}): the sub-blocks are taken in the order half {@code h}, then {@code j}
 * (values {@code 16j … 16j+15} of each 32-value quarter), then quarter {@code k}, which is the order
 * their bits share bytes in ({@code ql[l]} holds quarters 0 and 2, {@code ql[l+32]} 1 and 3,
 * {@code qh[l]} the high bits of all four); for each, lane-wise over its vectors of L values,
 * {@code s = q₀·x₀}, {@code s = fma(qₚ, xₚ, s)}, then {@code acc = fma(s, d·sc, acc)} with
 * {@code d·sc} an f32 product (exact: 11 by 8 significant bits); the lanes summed as above. The
 * bytes are widened to ints ({@code B2I}, part 0 of a byte vector loaded at the sub-block's first
 * byte) and the 6-bit values assembled there: x86 has no byte shift.
 */
final class BlockDots {
    private static final VectorSpecies<Byte> B = Simd.B;
    /** Bytes per byte vector: 4·L. */
    private static final int BL = B.length();
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Bytes of a Q8_0 block: f16 d, 32 int8. */
    static final int Q8_BYTES = 34;
    /** Bytes of a Q4_0 block: f16 d, 16 bytes of nibbles. */
    static final int Q4_BYTES = 18;

    private BlockDots() {
    }

    /**
     * How many of the {@code blocks} blocks of {@code blockBytes} from byte {@code row} can load
     * {@code reach} bytes from their start without passing {@code end}: always a leading run.
     */
    static int unmaskedBlocks(long row, int blocks, int blockBytes, int reach, long end) {
        long room = end - row - reach;
        return room < 0 ? 0 : (int) Math.min(blocks, room / blockBytes + 1);
    }

    static float scale(MemorySegment seg, long block) {
        return Float.float16ToFloat(seg.get(I16_LE, block));
    }

    /** Σ over {@code blocks} Q8_0 blocks from byte {@code row} of {@code seg} times {@code x[xOffset …]}. */
    static float dotQ8(MemorySegment seg, long row, int blocks, float[] x, int xOffset) {
        FloatVector acc = FloatVector.zero(F);
        VectorMask<Byte> first32 = B.indexInRange(0, 32);
        long end = seg.byteSize();
        long at = row;
        int xi = xOffset;
        int safe = unmaskedBlocks(row, blocks, Q8_BYTES, 2 + BL, end);
        // two loops, the second only for blocks whose whole-vector load would pass the segment's
        // end: a masked load anywhere in the hot loop (even never taken) cost 40 % of its speed
        for (int phase = 0; phase < 2; phase++) {
        boolean masked = phase == 1;
        for (int b = masked ? safe : 0, stop = masked ? blocks : safe; b < stop; b++, at += Q8_BYTES, xi += 32) {
            FloatVector d = FloatVector.broadcast(F, scale(seg, at));
            FloatVector s;
            if (BL == 64) {
                ByteVector q = !masked ? ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE)
                        : ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE, first32);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xi + L), s);
            } else if (BL == 32) {
                ByteVector q = ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xi + L), s);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 2)).fma(FloatVector.fromArray(F, x, xi + 2 * L), s);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 3)).fma(FloatVector.fromArray(F, x, xi + 3 * L), s);
            } else {
                ByteVector q = ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xi + L), s);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 2)).fma(FloatVector.fromArray(F, x, xi + 2 * L), s);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 3)).fma(FloatVector.fromArray(F, x, xi + 3 * L), s);
                q = ByteVector.fromMemorySegment(B, seg, at + 2 + BL, Simd.LE);
                int x2 = xi + 4 * L;
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, x, x2), s);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, x2 + L), s);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 2)).fma(FloatVector.fromArray(F, x, x2 + 2 * L), s);
                s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 3)).fma(FloatVector.fromArray(F, x, x2 + 3 * L), s);
            }
            acc = s.fma(d, acc);
        }
        }
        // the lanes summed in the order of Simd.sumLanes, in registers
        FloatVector v = acc;
        if (L >= 16) {
            v = v.add(v.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(Simd.FOLD_2));
        }
        v = v.add(v.rearrange(Simd.FOLD_1));
        return v.lane(0);
    }

    /** Σ over {@code blocks} Q4_0 blocks from byte {@code row} of {@code seg} times {@code x[xOffset …]}. */
    static float dotQ4(MemorySegment seg, long row, int blocks, float[] x, int xOffset) {
        FloatVector acc = FloatVector.zero(F);
        VectorMask<Byte> first16 = B.indexInRange(0, 16);
        long end = seg.byteSize();
        long at = row;
        int xi = xOffset;
        int safe = BL == 16 ? blocks : unmaskedBlocks(row, blocks, Q4_BYTES, 2 + BL, end);
        for (int phase = 0; phase < 2; phase++) { // as dotQ8: the masked loads in a loop of their own
        boolean masked = phase == 1;
        for (int b = masked ? safe : 0, stop = masked ? blocks : safe; b < stop; b++, at += Q4_BYTES, xi += 32) {
            FloatVector d = FloatVector.broadcast(F, scale(seg, at));
            ByteVector q = !masked ? ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE)
                    : ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE, first16);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.and((byte) 0xF0).lanewise(VectorOperators.XOR, (byte) 0x80);
            FloatVector s;
            if (BL == 64) {
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(0.0625f)
                        .fma(FloatVector.fromArray(F, x, xi + 16), s);
            } else if (BL == 32) {
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xi + L), s);
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(0.0625f)
                        .fma(FloatVector.fromArray(F, x, xi + 16), s);
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 1)).mul(0.0625f)
                        .fma(FloatVector.fromArray(F, x, xi + 16 + L), s);
            } else {
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 1)).fma(FloatVector.fromArray(F, x, xi + L), s);
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 2)).fma(FloatVector.fromArray(F, x, xi + 2 * L), s);
                s = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 3)).fma(FloatVector.fromArray(F, x, xi + 3 * L), s);
                int x2 = xi + 16;
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(0.0625f)
                        .fma(FloatVector.fromArray(F, x, x2), s);
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 1)).mul(0.0625f)
                        .fma(FloatVector.fromArray(F, x, x2 + L), s);
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 2)).mul(0.0625f)
                        .fma(FloatVector.fromArray(F, x, x2 + 2 * L), s);
                s = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 3)).mul(0.0625f)
                        .fma(FloatVector.fromArray(F, x, x2 + 3 * L), s);
            }
            acc = s.fma(d, acc);
        }
        }
        // the lanes summed in the order of Simd.sumLanes, in registers
        FloatVector v = acc;
        if (L >= 16) {
            v = v.add(v.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(Simd.FOLD_2));
        }
        v = v.add(v.rearrange(Simd.FOLD_1));
        return v.lane(0);
    }

    /** Bytes of a Q6_K block: ql[128], qh[64], int8 scales[16], f16 d. */
    static final int Q6K_BYTES = 210;

    /** Σ over {@code blocks} Q6_K blocks from byte {@code row} of {@code seg} times {@code x[xOffset …]}. */
    static float dotQ6K(MemorySegment seg, long row, int blocks, float[] x, int xOffset) {
        VectorSpecies<Integer> I = Simd.I;
        FloatVector acc = FloatVector.zero(F);
        VectorMask<Byte> firstL = B.indexInRange(0, L);
        long end = seg.byteSize();
        long at = row;
        int xb = xOffset;
        // the last load of a block starts at most 188 bytes in; as dotQ8, masked loads in a loop of their own
        int safe = unmaskedBlocks(row, blocks, Q6K_BYTES, 188 + BL, end);
        for (int phase = 0; phase < 2; phase++) {
        boolean masked = phase == 1;
        for (int b = masked ? safe : 0, stop = masked ? blocks : safe; b < stop; b++, at += Q6K_BYTES, xb += 256) {
            float d = scale(seg, at + 208);
            for (int h = 0; h < 2; h++) {
                long ql = at + 64 * h;
                long qh = at + 128 + 32 * h;
                long sc = at + 192 + 8 * h;
                int xh = xb + 128 * h;
                for (int j = 0; j < 2; j++) {
                    FloatVector s0 = null;
                    FloatVector s1 = null;
                    FloatVector s2 = null;
                    FloatVector s3 = null;
                    for (int p = 0; p < 16; p += L) {
                        long o = 16 * j + p;
                        IntVector a = load(seg, ql + o, masked, firstL).and(0xFF);
                        IntVector c = load(seg, ql + 32 + o, masked, firstL).and(0xFF);
                        IntVector hi = load(seg, qh + o, masked, firstL).and(0xFF);
                        FloatVector q0 = (FloatVector) a.and(0xF)
                                .or(hi.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32)
                                .convert(VectorOperators.I2F, 0);
                        FloatVector q1 = (FloatVector) c.and(0xF)
                                .or(hi.and(0xC).lanewise(VectorOperators.LSHL, 2)).sub(32)
                                .convert(VectorOperators.I2F, 0);
                        FloatVector q2 = (FloatVector) a.lanewise(VectorOperators.LSHR, 4)
                                .or(hi.and(0x30)).sub(32)
                                .convert(VectorOperators.I2F, 0);
                        FloatVector q3 = (FloatVector) c.lanewise(VectorOperators.LSHR, 4)
                                .or(hi.and(0xC0).lanewise(VectorOperators.LSHR, 2)).sub(32)
                                .convert(VectorOperators.I2F, 0);
                        int xi = xh + 16 * j + p;
                        FloatVector x0 = FloatVector.fromArray(F, x, xi);
                        FloatVector x1 = FloatVector.fromArray(F, x, xi + 32);
                        FloatVector x2 = FloatVector.fromArray(F, x, xi + 64);
                        FloatVector x3 = FloatVector.fromArray(F, x, xi + 96);
                        if (p == 0) {
                            s0 = q0.mul(x0);
                            s1 = q1.mul(x1);
                            s2 = q2.mul(x2);
                            s3 = q3.mul(x3);
                        } else {
                            s0 = q0.fma(x0, s0);
                            s1 = q1.fma(x1, s1);
                            s2 = q2.fma(x2, s2);
                            s3 = q3.fma(x3, s3);
                        }
                    }
                    acc = s0.fma(FloatVector.broadcast(F, d * seg.get(ValueLayout.JAVA_BYTE, sc + j)), acc);
                    acc = s1.fma(FloatVector.broadcast(F, d * seg.get(ValueLayout.JAVA_BYTE, sc + j + 2)), acc);
                    acc = s2.fma(FloatVector.broadcast(F, d * seg.get(ValueLayout.JAVA_BYTE, sc + j + 4)), acc);
                    acc = s3.fma(FloatVector.broadcast(F, d * seg.get(ValueLayout.JAVA_BYTE, sc + j + 6)), acc);
                }
            }
        }
        }
        FloatVector v = acc;
        if (L >= 16) {
            v = v.add(v.rearrange(Simd.FOLD_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(Simd.FOLD_4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(Simd.FOLD_2));
        }
        v = v.add(v.rearrange(Simd.FOLD_1));
        return v.lane(0);
    }

    /** L bytes from {@code at} widened to ints (sign-extended), the load masked in the last blocks of a segment. */
    private static IntVector load(MemorySegment seg, long at, boolean masked, VectorMask<Byte> firstL) {
        ByteVector v = !masked ? ByteVector.fromMemorySegment(B, seg, at, Simd.LE)
                : ByteVector.fromMemorySegment(B, seg, at, Simd.LE, firstL);
        return (IntVector) v.convertShape(VectorOperators.B2I, Simd.I, 0);
    }

    /**
     * Dequantizes {@code blocks} Q8_0 blocks from byte {@code at} into {@code out[outOffset …]}:
     * {@code q·d}, exact in f32 (8 by 11 significant bits), so equal to
     * {@link io.github.vectorlm.tensor.BlockType#dequantize}.
     */
    static void dequantizeQ8(MemorySegment seg, long at, int blocks, float[] out, int outOffset) {
        VectorMask<Byte> first32 = B.indexInRange(0, 32);
        long end = seg.byteSize();
        int o = outOffset;
        for (int b = 0; b < blocks; b++, at += Q8_BYTES, o += 32) {
            FloatVector d = FloatVector.broadcast(F, scale(seg, at));
            if (BL == 64) {
                ByteVector q = at + 2 + BL <= end ? ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE)
                        : ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE, first32);
                ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(out, o);
                ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(out, o + L);
            } else {
                for (int v = 0; v < 32; v += BL) {
                    ByteVector q = ByteVector.fromMemorySegment(B, seg, at + 2 + v, Simd.LE);
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(out, o + v);
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(out, o + v + L);
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, 2)).mul(d).intoArray(out, o + v + 2 * L);
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, 3)).mul(d).intoArray(out, o + v + 3 * L);
                }
            }
        }
    }

    /** As {@link #dequantizeQ8} for Q4_0: {@code (nibble - 8)·d}, exact. */
    static void dequantizeQ4(MemorySegment seg, long at, int blocks, float[] out, int outOffset) {
        VectorMask<Byte> first16 = B.indexInRange(0, 16);
        long end = seg.byteSize();
        int o = outOffset;
        for (int b = 0; b < blocks; b++, at += Q4_BYTES, o += 32) {
            float scale = scale(seg, at);
            FloatVector d = FloatVector.broadcast(F, scale);
            FloatVector d16 = FloatVector.broadcast(F, scale * 0.0625f);
            ByteVector q = BL == 16 || at + 2 + BL <= end ? ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE)
                    : ByteVector.fromMemorySegment(B, seg, at + 2, Simd.LE, first16);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.and((byte) 0xF0).lanewise(VectorOperators.XOR, (byte) 0x80);
            ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(out, o);
            ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d16).intoArray(out, o + 16);
            if (L <= 8) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(out, o + L);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 1)).mul(d16).intoArray(out, o + 16 + L);
            }
            if (L <= 4) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 2)).mul(d).intoArray(out, o + 2 * L);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 2)).mul(d16).intoArray(out, o + 16 + 2 * L);
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 3)).mul(d).intoArray(out, o + 3 * L);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 3)).mul(d16).intoArray(out, o + 16 + 3 * L);
            }
        }
    }
}
