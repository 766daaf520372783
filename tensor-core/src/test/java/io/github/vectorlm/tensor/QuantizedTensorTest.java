package io.github.vectorlm.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Block layouts worked out by hand from ggml-common.h and ggml-quants.c, one block at a time. The
 * bit-exact comparison with gguf-py's dequantizers, on every type and random blocks, is
 * checkpoint-io's {@code GgufReaderTest}.
 */
class QuantizedTensorTest {
    private static final short ONE = Float.floatToFloat16(1f);
    private static final short HALF = Float.floatToFloat16(0.5f);

    private static ByteBuffer block(BlockType type) {
        return ByteBuffer.allocate(type.blockBytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static float[] decode(BlockType type, ByteBuffer... blocks) {
        ByteBuffer all = ByteBuffer.allocate(blocks.length * type.blockBytes());
        for (ByteBuffer b : blocks) {
            all.put(b.array());
        }
        QuantizedTensor t = QuantizedTensor.of(type, Shape.of(blocks.length * type.blockSize()),
                MemorySegment.ofArray(all.array()), 0);
        return t.toFloatArray();
    }

    @Test
    void q4_0LowNibblesFirstThenHighOffsetByEight() {
        ByteBuffer b = block(BlockType.Q4_0).putShort(0, HALF);
        b.put(2, (byte) 0xf0); // value 0: nibble 0 → -8; value 16: nibble 15 → 7
        b.put(17, (byte) 0x9a); // value 15: nibble 10 → 2; value 31: nibble 9 → 1
        float[] x = decode(BlockType.Q4_0, b);
        assertThat(x[0]).isEqualTo(-4f);
        assertThat(x[16]).isEqualTo(3.5f);
        assertThat(x[15]).isEqualTo(1f);
        assertThat(x[31]).isEqualTo(0.5f);
        assertThat(x[1]).isEqualTo(-4f); // byte 0 → nibble 0 → -8
    }

    @Test
    void q4_1AddsTheMin() {
        ByteBuffer b = block(BlockType.Q4_1).putShort(0, HALF).putShort(2, Float.floatToFloat16(-3f));
        b.put(4, (byte) 0x2f);
        float[] x = decode(BlockType.Q4_1, b);
        assertThat(x[0]).isEqualTo(15 * 0.5f - 3f);
        assertThat(x[16]).isEqualTo(2 * 0.5f - 3f);
        assertThat(x[1]).isEqualTo(-3f);
    }

    @Test
    void q5TakesTheFifthBitFromQh() {
        // qh bit j is value j's fifth bit, bit j + 16 value j + 16's
        ByteBuffer b = block(BlockType.Q5_0).putShort(0, ONE).putInt(2, (1 << 3) | (1 << 16));
        b.put(6, (byte) 0x21);  // value 0: low 1, value 16: low 2 | 16
        b.put(9, (byte) 0x07);  // value 3: 7 | 16
        float[] x = decode(BlockType.Q5_0, b);
        assertThat(x[0]).isEqualTo(1 - 16f);
        assertThat(x[16]).isEqualTo(18 - 16f);
        assertThat(x[3]).isEqualTo(23 - 16f);
        assertThat(x[19]).isEqualTo(-16f);

        ByteBuffer c = block(BlockType.Q5_1).putShort(0, ONE).putShort(2, ONE).putInt(4, 1 << 31);
        c.put(8 + 15, (byte) 0xf0);  // value 31: 15 | 16, value 15: 0
        float[] y = decode(BlockType.Q5_1, c);
        assertThat(y[31]).isEqualTo(31 + 1f);
        assertThat(y[15]).isEqualTo(1f);
    }

    @Test
    void q8BlocksAreSignedBytesTimesD() {
        ByteBuffer b = block(BlockType.Q8_0).putShort(0, HALF);
        b.put(2, (byte) -128).put(33, (byte) 127);
        float[] x = decode(BlockType.Q8_0, b);
        assertThat(x[0]).isEqualTo(-64f);
        assertThat(x[31]).isEqualTo(63.5f);
        // Q8_1: s after d is ignored
        ByteBuffer c = block(BlockType.Q8_1).putShort(0, HALF).putShort(2, Float.floatToFloat16(1000f));
        c.put(4, (byte) 3);
        assertThat(decode(BlockType.Q8_1, c)[0]).isEqualTo(1.5f);
    }

    @Test
    void q4_kScalesAndMinsOfTheUpperSubBlocksArePackedInSixBits() {
        ByteBuffer b = block(BlockType.Q4_K).putShort(0, ONE).putShort(2, HALF);
        int scales = 4;
        b.put(scales, (byte) 2).put(scales + 4, (byte) 1);              // sub-block 0: scale 2, min 1
        // sub-block 4: scale = low nibble of byte 8 | top 2 bits of byte 0 << 4; min = high nibble of byte 8 | top 2 bits of byte 4 << 4
        b.put(scales, (byte) (2 | 0b01 << 6)).put(scales + 4, (byte) (1 | 0b10 << 6)).put(scales + 8, (byte) 0x35);
        int qs = 16;
        b.put(qs, (byte) 0x73);            // value 0: 3 (sub-block 0), value 32: 7 (sub-block 1: scale 0, min 0)
        b.put(qs + 64, (byte) 0x0a);       // value 128: 10 (sub-block 4)
        float[] x = decode(BlockType.Q4_K, b);
        assertThat(x[0]).isEqualTo(2 * 3 - 0.5f * 1);
        assertThat(x[32]).isEqualTo(0f);
        int scale4 = 5 | 0b01 << 4;
        int min4 = 3 | 0b10 << 4;
        assertThat(x[128]).isEqualTo(scale4 * 10 - 0.5f * min4);
    }

    @Test
    void q6_kSplitsSixBitsOverQlAndQh() {
        ByteBuffer b = block(BlockType.Q6_K).putShort(208, HALF);
        b.put(192, (byte) 2).put(192 + 2, (byte) -1).put(192 + 4, (byte) 3).put(192 + 6, (byte) 1);
        b.put(0, (byte) 0x5c);              // ql[0]: value 0 low 12, value 64 low 5
        b.put(32, (byte) 0x01);             // ql[32]: value 32 low 1, value 96 low 0
        b.put(128, (byte) 0b11_10_01_00);   // qh[0]: value 0 +0, value 32 +16, value 64 +32, value 96 +48
        float[] x = decode(BlockType.Q6_K, b);
        assertThat(x[0]).isEqualTo(0.5f * 2 * (12 - 32));
        assertThat(x[32]).isEqualTo(0.5f * -1 * (17 - 32));
        assertThat(x[64]).isEqualTo(0.5f * 3 * (37 - 32));
        assertThat(x[96]).isEqualTo(0.5f * 1 * (48 - 32));
    }

    @Test
    void rowsAreContiguousBlocksAndDequantizeMatchesRowByRow() {
        BlockType t = BlockType.Q8_0;
        byte[] bytes = new byte[3 * 2 * t.blockBytes() + 5];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int blockIndex = 0; blockIndex < 6; blockIndex++) {
            int at = 5 + blockIndex * t.blockBytes();
            buf.putShort(at, Float.floatToFloat16(blockIndex + 1));
            for (int j = 0; j < 32; j++) {
                bytes[at + 2 + j] = (byte) (j - 16);
            }
        }
        QuantizedTensor q = QuantizedTensor.of(t, Shape.of(3, 64), MemorySegment.ofArray(bytes), 5);
        assertThat(q.rows()).isEqualTo(3);
        assertThat(q.blocksPerRow()).isEqualTo(2);
        assertThat(q.rowBytes()).isEqualTo(68);
        assertThat(q.dataBytes()).isEqualTo(204);
        assertThat(q.rowOffset(2)).isEqualTo(5 + 136);
        assertThat(q.data().byteSize()).isEqualTo(204);
        float[] row = new float[64];
        q.dequantizeRow(2, row, 0);
        assertThat(row[0]).isEqualTo(-16 * 5f);
        assertThat(row[63]).isEqualTo(15 * 6f);
        try (Arena arena = Arena.ofConfined()) {
            Tensor f = q.dequantize(arena);
            assertThat(f.dtype()).isEqualTo(DType.F32);
            assertThat(f.shape()).isEqualTo(Shape.of(3, 64));
            assertThat(f.toFloatArray()).containsExactly(q.toFloatArray());
            assertThat(f.getFloat(2, 63)).isEqualTo(90f);
        }
    }

    @Test
    void shapesAndBoundsAreChecked() {
        MemorySegment s = MemorySegment.ofArray(new byte[68]);
        assertThatThrownBy(() -> QuantizedTensor.of(BlockType.Q8_0, Shape.of(2, 48), s, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number of Q8_0 blocks of 32");
        assertThatThrownBy(() -> QuantizedTensor.of(BlockType.Q8_0, Shape.scalar(), s, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QuantizedTensor.of(BlockType.Q8_0, Shape.of(3, 32), s, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("102 bytes");
        assertThatThrownBy(() -> QuantizedTensor.of(BlockType.Q8_0, Shape.of(2, 32), s, 1))
                .isInstanceOf(IllegalArgumentException.class);
        QuantizedTensor empty = QuantizedTensor.of(BlockType.Q4_K, Shape.of(5, 0), s, 68);
        assertThat(empty.rows()).isEqualTo(5);
        assertThat(empty.dataBytes()).isZero();
        assertThat(empty.toFloatArray()).isEmpty();
        assertThat(BlockType.Q4_K.bytesFor(512)).isEqualTo(288);
        assertThatThrownBy(() -> BlockType.Q4_K.bytesFor(100)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void typesWithoutADequantizerSaySo() {
        QuantizedTensor q = QuantizedTensor.of(BlockType.IQ2_XXS, Shape.of(1, 256), MemorySegment.ofArray(new byte[66]), 0);
        assertThat(BlockType.IQ2_XXS.canDequantize()).isFalse();
        assertThatThrownBy(q::toFloatArray).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IQ2_XXS");
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> q.dequantize(arena)).isInstanceOf(UnsupportedOperationException.class);
        }
    }
}
