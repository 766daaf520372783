package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * <p>Loads: a Q8_0 block's bytes are loaded {@link Simd#B_NARROW} at a time (the bytes of one
 * float vector, 8 at the least) and each widened whole ({@code convertShape(B2F, F, 0)}; at 4 lanes
 * the 8 bytes are parts 0 and 1); a Q4_0 block's 16 nibble bytes likewise (one vector at 16
 * lanes, two below). No load passes its block, so none needs a mask. Loading a full-width
 * byte vector (4·L bytes) per block (64 bytes at AVX-512, 30 of them past the block) and widening
 * its parts cost a byte shuffle per part and a masked last block: Zen 4, one thread, Q8_0
 * [768, 2304] 11.1–12.3 GB/s that way against 14.4–16.5 narrow; GPT-2 Q8_0 decode at
 * {@code -XX:UseAVX=2} 40–46 against 75–77 tokens/s.
 * Q4_0's high nibbles are taken as {@code (b & 0xF0) ^ 0x80}, which is {@code 16·(h - 8)} as a
 * signed byte, and multiplied by 1/16 after the widening (exact); x86 has no byte shift.
 *
 * <p>Q6_K ({@link #dotQ6K}; 256 values per block in 16 sub-blocks of 16, each with an int8 scale,
 * and one f16 {@code d}): the sub-blocks are taken in the order half {@code h}, then {@code j}
 * (values {@code 16j … 16j+15} of each 32-value quarter), then quarter {@code k}, which is the order
 * their bits share bytes in ({@code ql[l]} holds quarters 0 and 2, {@code ql[l+32]} 1 and 3,
 * {@code qh[l]} the high bits of all four); for each, lane-wise over its vectors of L values,
 * {@code s = q₀·x₀}, {@code s = fma(qₚ, xₚ, s)}, then {@code acc = fma(s, d·sc, acc)} with
 * {@code d·sc} an f32 product (exact: 11 by 8 significant bits); the lanes summed as above. The
 * bytes are widened to ints ({@code B2I}, part 0 of a {@link Simd#B_NARROW} vector loaded at the
 * sub-block's first byte) and the 6-bit values assembled there: x86 has no byte shift.
 */
final class BlockDots {
    private static final VectorSpecies<Byte> BN = Simd.B_NARROW;
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Bytes of a Q8_0 block: f16 d, 32 int8. */
    static final int Q8_BYTES = 34;
    /** Bytes of a Q4_0 block: f16 d, 16 bytes of nibbles. */
    static final int Q4_BYTES = 18;

    private BlockDots() {
    }

    static float scale(MemorySegment seg, long block) {
        return Float.float16ToFloat(seg.get(I16_LE, block));
    }

    /** Σ over {@code blocks} Q8_0 blocks from byte {@code row} of {@code seg} times {@code x[xOffset …]}. */
    static float dotQ8(MemorySegment seg, long row, int blocks, float[] x, int xOffset) {
        FloatVector acc = FloatVector.zero(F);
        long at = row;
        int xi = xOffset;
        for (int b = 0; b < blocks; b++, at += Q8_BYTES, xi += 32) {
            FloatVector s;
            if (L >= 8) {
                s = ((FloatVector) bytes(seg, at + 2).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.fromArray(F, x, xi));
                for (int v = L; v < 32; v += L) {
                    s = ((FloatVector) bytes(seg, at + 2 + v).convertShape(VectorOperators.B2F, F, 0))
                            .fma(FloatVector.fromArray(F, x, xi + v), s);
                }
            } else { // 4 lanes: each 8-byte load is two vectors
                ByteVector first = bytes(seg, at + 2);
                s = ((FloatVector) first.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
                s = ((FloatVector) first.convertShape(VectorOperators.B2F, F, 1))
                        .fma(FloatVector.fromArray(F, x, xi + 4), s);
                for (int v = 8; v < 32; v += 8) {
                    ByteVector q = bytes(seg, at + 2 + v);
                    s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0))
                            .fma(FloatVector.fromArray(F, x, xi + v), s);
                    s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1))
                            .fma(FloatVector.fromArray(F, x, xi + v + 4), s);
                }
            }
            // the scale read here, not through scale(): at 128 bits C2 left that call in the loop
            // (the method over its node budget), spilling the vectors around it for every block
            acc = s.fma(FloatVector.broadcast(F, Float.float16ToFloat(seg.get(I16_LE, at))), acc);
        }
        // the lanes summed in the order of Simd.sumLanes, in registers (a helper taking the vector
        // was left un-inlined by C2 at times, boxing it)
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
        long at = row;
        int xi = xOffset;
        for (int b = 0; b < blocks; b++, at += Q4_BYTES, xi += 32) {
            // value v < 16 is the low nibble of byte v, value 16 + v its high nibble; parts by
            // constants: a part index C2 cannot fold leaves the conversion un-intrinsified
            FloatVector s;
            if (L == 16) { // the 16 nibble bytes are one narrow vector
                ByteVector q = bytes(seg, at + 2);
                s = ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.fromArray(F, x, xi));
                ByteVector high = q.and((byte) 0xF0).lanewise(VectorOperators.XOR, (byte) 0x80);
                s = ((FloatVector) high.convertShape(VectorOperators.B2F, F, 0))
                        .mul(0.0625f).fma(FloatVector.fromArray(F, x, xi + 16), s);
            } else { // two 8-byte vectors, each one float vector (L = 8) or parts 0 and 1 (L = 4)
                ByteVector q0 = bytes(seg, at + 2);
                ByteVector q1 = bytes(seg, at + 10);
                ByteVector low0 = q0.and((byte) 0x0F).sub((byte) 8);
                ByteVector low1 = q1.and((byte) 0x0F).sub((byte) 8);
                ByteVector high0 = q0.and((byte) 0xF0).lanewise(VectorOperators.XOR, (byte) 0x80);
                ByteVector high1 = q1.and((byte) 0xF0).lanewise(VectorOperators.XOR, (byte) 0x80);
                s = ((FloatVector) low0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, x, xi));
                if (L == 4) {
                    s = ((FloatVector) low0.convertShape(VectorOperators.B2F, F, 1))
                            .fma(FloatVector.fromArray(F, x, xi + 4), s);
                }
                s = ((FloatVector) low1.convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, xi + 8), s);
                if (L == 4) {
                    s = ((FloatVector) low1.convertShape(VectorOperators.B2F, F, 1))
                            .fma(FloatVector.fromArray(F, x, xi + 12), s);
                }
                s = ((FloatVector) high0.convertShape(VectorOperators.B2F, F, 0))
                        .mul(0.0625f).fma(FloatVector.fromArray(F, x, xi + 16), s);
                if (L == 4) {
                    s = ((FloatVector) high0.convertShape(VectorOperators.B2F, F, 1))
                            .mul(0.0625f).fma(FloatVector.fromArray(F, x, xi + 20), s);
                }
                s = ((FloatVector) high1.convertShape(VectorOperators.B2F, F, 0))
                        .mul(0.0625f).fma(FloatVector.fromArray(F, x, xi + 24), s);
                if (L == 4) {
                    s = ((FloatVector) high1.convertShape(VectorOperators.B2F, F, 1))
                            .mul(0.0625f).fma(FloatVector.fromArray(F, x, xi + 28), s);
                }
            }
            // the scale read here, not through scale(): at 128 bits C2 left that call in the loop
            // (the method over its node budget), spilling the vectors around it for every block
            acc = s.fma(FloatVector.broadcast(F, Float.float16ToFloat(seg.get(I16_LE, at))), acc);
        }
        // the lanes summed in the order of Simd.sumLanes, in registers (a helper taking the vector
        // was left un-inlined by C2 at times, boxing it)
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

    /** {@link Simd#B_NARROW} bytes from byte {@code at}. */
    private static ByteVector bytes(MemorySegment seg, long at) {
        return ByteVector.fromMemorySegment(BN, seg, at, Simd.LE);
    }

    /** Bytes of a Q6_K block: ql[128], qh[64], int8 scales[16], f16 d. */
    static final int Q6K_BYTES = 210;

    /** Σ over {@code blocks} Q6_K blocks from byte {@code row} of {@code seg} times {@code x[xOffset …]}. */
    static float dotQ6K(MemorySegment seg, long row, int blocks, float[] x, int xOffset) {
        VectorSpecies<Integer> I = Simd.I;
        FloatVector acc = FloatVector.zero(F);
        long at = row;
        int xb = xOffset;
        // the last load of a block reads bytes 188 to 188 + max(L, 8): inside the block's 210
        for (int b = 0; b < blocks; b++, at += Q6K_BYTES, xb += 256) {
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
                        IntVector a = load(seg, ql + o).and(0xFF);
                        IntVector c = load(seg, ql + 32 + o).and(0xFF);
                        IntVector hi = load(seg, qh + o).and(0xFF);
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
        // the lanes summed in the order of Simd.sumLanes, in registers (a helper taking the vector
        // was left un-inlined by C2 at times, boxing it)
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

    /** L bytes from {@code at} widened to ints (sign-extended). */
    private static IntVector load(MemorySegment seg, long at) {
        return (IntVector) bytes(seg, at).convertShape(VectorOperators.B2I, Simd.I, 0);
    }

    /**
     * Dequantizes {@code blocks} Q8_0 blocks from byte {@code at} into {@code out[outOffset …]}:
     * {@code q·d}, exact in f32 (8 by 11 significant bits), so equal to
     * {@link io.github.vectorlm.tensor.BlockType#dequantize}.
     */
    static void dequantizeQ8(MemorySegment seg, long at, int blocks, float[] out, int outOffset) {
        int o = outOffset;
        for (int b = 0; b < blocks; b++, at += Q8_BYTES, o += 32) {
            FloatVector d = FloatVector.broadcast(F, scale(seg, at));
            for (int v = 0; v < 32; v += BN.length()) {
                ByteVector q = bytes(seg, at + 2 + v);
                ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(out, o + v);
                if (L == 4) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(out, o + v + 4);
                }
            }
        }
    }

    /** As {@link #dequantizeQ8} for Q4_0: {@code (nibble - 8)·d}, exact. */
    static void dequantizeQ4(MemorySegment seg, long at, int blocks, float[] out, int outOffset) {
        int o = outOffset;
        for (int b = 0; b < blocks; b++, at += Q4_BYTES, o += 32) {
            float scale = scale(seg, at);
            FloatVector d = FloatVector.broadcast(F, scale);
            FloatVector d16 = FloatVector.broadcast(F, scale * 0.0625f);
            if (L == 16) { // as dotQ4
                ByteVector q = bytes(seg, at + 2);
                ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0))
                        .mul(d).intoArray(out, o);
                ((FloatVector) q.and((byte) 0xF0).lanewise(VectorOperators.XOR, (byte) 0x80)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d16).intoArray(out, o + 16);
                continue;
            }
            ByteVector q0 = bytes(seg, at + 2);
            ByteVector q1 = bytes(seg, at + 10);
            ByteVector low0 = q0.and((byte) 0x0F).sub((byte) 8);
            ByteVector low1 = q1.and((byte) 0x0F).sub((byte) 8);
            ByteVector high0 = q0.and((byte) 0xF0).lanewise(VectorOperators.XOR, (byte) 0x80);
            ByteVector high1 = q1.and((byte) 0xF0).lanewise(VectorOperators.XOR, (byte) 0x80);
            ((FloatVector) low0.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(out, o);
            ((FloatVector) low1.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(out, o + 8);
            ((FloatVector) high0.convertShape(VectorOperators.B2F, F, 0)).mul(d16).intoArray(out, o + 16);
            ((FloatVector) high1.convertShape(VectorOperators.B2F, F, 0)).mul(d16).intoArray(out, o + 24);
            if (L == 4) {
                ((FloatVector) low0.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(out, o + 4);
                ((FloatVector) low1.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(out, o + 12);
                ((FloatVector) high0.convertShape(VectorOperators.B2F, F, 1)).mul(d16).intoArray(out, o + 20);
                ((FloatVector) high1.convertShape(VectorOperators.B2F, F, 1)).mul(d16).intoArray(out, o + 28);
            }
        }
    }
}
