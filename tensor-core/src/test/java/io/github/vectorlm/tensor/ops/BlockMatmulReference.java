package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.QuantizedTensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Scalar twin of {@link BlockMatmul}: the two arithmetics of Q8_0/Q4_0 layers in plain loops, the
 * weights decoded by {@link io.github.vectorlm.tensor.BlockType#dequantizeBlock} (tested against
 * gguf-py), the specification the SIMD paths are tested against bit for bit.
 */
public final class BlockMatmulReference {
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlockMatmulReference() {
    }

    /**
     * The one-row (decode) arithmetic of {@link BlockDots} at {@code lanes} lanes, for each of
     * {@code rows} rows: per block, lane j of vector p takes value p·lanes + j; s = q·x for the
     * first vector, fma(q, x, s) for the others; acc = fma(s, d, acc); lanes summed pairwise; + bias.
     */
    public static void linearDots(float[] out, int outOffset, float[] in, int inOffset, int rows, QuantizedLinear q,
            int lanes) {
        if (q.type() == io.github.vectorlm.tensor.BlockType.Q6_K) {
            linearDotsQ6K(out, outOffset, in, inOffset, rows, q, lanes);
            return;
        }
        QuantizedTensor w = q.weight();
        int nIn = q.in();
        int nOut = q.out();
        float[] values = new float[32];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < nOut; o++) {
                float[] acc = new float[lanes];
                for (int b = 0; b < nIn / 32; b++) {
                    long at = w.rowOffset(o) + (long) b * w.type().blockBytes();
                    float d = Float.float16ToFloat(w.segment().get(I16_LE, at));
                    w.type().dequantizeBlock(w.segment(), at, values, 0);
                    float[] s = new float[lanes];
                    for (int v = 0; v < 32; v += lanes) {
                        for (int j = 0; j < lanes; j++) {
                            float qv = d == 0f ? 0f : values[v + j] / d; // the block's integer, exactly
                            float x = in[inOffset + r * nIn + b * 32 + v + j];
                            s[j] = v == 0 ? qv * x : Math.fma(qv, x, s[j]);
                        }
                    }
                    for (int j = 0; j < lanes; j++) {
                        acc[j] = Math.fma(s[j], d, acc[j]);
                    }
                }
                float y = Simd.sumLanes(acc, lanes);
                if (q.bias() != null) {
                    y += Elements.get(q.bias(), o);
                }
                out[outOffset + r * nOut + o] = y;
            }
        }
    }

    /**
     * The GEMM arithmetic (several rows): per output one FMA chain over the dequantized weights in
     * input order from 0, then + bias.
     */
    public static void linearGemm(float[] out, int outOffset, float[] in, int inOffset, int rows, QuantizedLinear q) {
        int nIn = q.in();
        int nOut = q.out();
        float[] w = new float[nIn];
        for (int o = 0; o < nOut; o++) {
            q.weight().dequantizeRow(o, w, 0);
            for (int r = 0; r < rows; r++) {
                float y = 0f;
                for (int i = 0; i < nIn; i++) {
                    y = Math.fma(in[inOffset + r * nIn + i], w[i], y);
                }
                if (q.bias() != null) {
                    y += Elements.get(q.bias(), o);
                }
                out[outOffset + r * nOut + o] = y;
            }
        }
    }

    /**
     * Q6_K's one-row arithmetic at {@code lanes} lanes, from ggml's {@code block_q6_K} layout
     * (ql[128] low nibbles, qh[64] high 2-bit pairs, int8 scales[16], f16 d): sub-blocks of 16 in
     * the order half h, j, quarter k (scale index 8h + 2k + j); per sub-block s = q·x then
     * fma(q, x, s) over its vectors of {@code lanes}; acc = fma(s, d·sc, acc); lanes summed pairwise.
     */
    static void linearDotsQ6K(float[] out, int outOffset, float[] in, int inOffset, int rows, QuantizedLinear q,
            int lanes) {
        QuantizedTensor w = q.weight();
        java.lang.foreign.MemorySegment seg = w.segment();
        int nIn = q.in();
        int nOut = q.out();
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < nOut; o++) {
                float[] acc = new float[lanes];
                for (int b = 0; b < nIn / 256; b++) {
                    long at = w.rowOffset(o) + (long) b * 210;
                    float d = Float.float16ToFloat(seg.get(I16_LE, at + 208));
                    for (int h = 0; h < 2; h++) {
                        for (int j = 0; j < 2; j++) {
                            for (int k = 0; k < 4; k++) {
                                float[] s = new float[lanes];
                                for (int t = 0; t < 16; t++) {
                                    int l = 16 * j + t;
                                    int ql = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, at + 64 * h + l + (k % 2) * 32));
                                    int qh = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, at + 128 + 32 * h + l));
                                    int low = k < 2 ? ql & 0xF : ql >>> 4;
                                    int qv = (low | ((qh >>> (2 * k)) & 3) << 4) - 32;
                                    float x = in[inOffset + r * nIn + b * 256 + 128 * h + 32 * k + l];
                                    int lane = t % lanes;
                                    s[lane] = t < lanes ? qv * x : Math.fma((float) qv, x, s[lane]);
                                }
                                float dsc = d * seg.get(ValueLayout.JAVA_BYTE, at + 192 + 8 * h + 2 * k + j);
                                for (int lane = 0; lane < lanes; lane++) {
                                    acc[lane] = Math.fma(s[lane], dsc, acc[lane]);
                                }
                            }
                        }
                    }
                }
                float y = Simd.sumLanes(acc, lanes);
                if (q.bias() != null) {
                    y += Elements.get(q.bias(), o);
                }
                out[outOffset + r * nOut + o] = y;
            }
        }
    }
}
