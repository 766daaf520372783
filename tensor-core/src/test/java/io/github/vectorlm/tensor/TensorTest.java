package io.github.vectorlm.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void transposeIsAStrideSwapAndContiguousCopies() {
        Tensor w = Tensor.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = w.transpose(0, 1);
        assertThat(t.shape()).isEqualTo(Shape.of(3, 2));
        assertThat(t.isContiguous()).isFalse();
        assertThat(t.getFloat(2, 1)).isEqualTo(6f);
        assertThat(t.toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
        Tensor c = t.contiguous();
        assertThat(c.isContiguous()).isTrue();
        assertThat(c.toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
    }

    @Test
    void sliceNarrowReshape() {
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        Tensor t = Tensor.fromFloats(v, 2, 3, 4);
        assertThat(t.slice(0, 1).toFloatArray()).containsExactly(12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
        assertThat(t.narrow(2, 1, 2).slice(0, 0).slice(0, 2).toFloatArray()).containsExactly(9, 10);
        assertThat(t.reshape(6, -1).shape()).isEqualTo(Shape.of(6, 4));
        assertThat(t.reshape(6, -1).getFloat(5, 3)).isEqualTo(23f);
        assertThatThrownBy(() -> t.transpose(0, 2).reshape(24)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-contiguous");
        assertThatThrownBy(() -> t.reshape(5, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3, 4]");
    }

    @Test
    void viewsAreBoundsCheckedWhenMade() {
        Tensor t = Tensor.allocate(Arena.ofAuto(), DType.F16, 4, 4);
        assertThatThrownBy(() -> Tensor.of(DType.F16, Shape.of(5, 4), t.segment(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 40 bytes")
                .hasMessageContaining("has 32");
        assertThatThrownBy(() -> t.narrow(0, 3, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[4, 4]");
        assertThatThrownBy(() -> t.slice(1, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.getFloat(0, 4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(Tensor.of(DType.F16, Shape.of(0, 1000), t.segment(), 0).numel()).isZero();
    }

    @Test
    void halfAndBfloatConversionsFollowPyTorch() {
        // values checked against torch.tensor([...]).half() / .bfloat16() bit patterns
        assertThat(DType.f32ToF16(1f)).isEqualTo((short) 0x3c00);
        assertThat(DType.f32ToF16(65520f)).isEqualTo((short) 0x7c00); // rounds to inf
        assertThat(DType.f16ToF32((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(DType.f32ToBf16(1.00390625f)).isEqualTo((short) 0x3f80); // tie to even
        assertThat(DType.f32ToBf16(1.01171875f)).isEqualTo((short) 0x3f82); // tie to even (up)
        assertThat(DType.f32ToBf16(Float.NaN)).isEqualTo((short) 0x7fc0);
        assertThat(DType.bf16ToF32((short) 0xc040)).isEqualTo(-3f);
        assertThat(DType.f8e4m3ToF32((byte) 0x7e)).isEqualTo(448f);
        assertThat(DType.f8e4m3ToF32((byte) 0x01)).isEqualTo(0x1p-9f);
        assertThat(DType.f8e5m2ToF32((byte) 0x7b)).isEqualTo(57344f);
        Tensor h = Tensor.fromFloats(DType.BF16, new float[] {0.1f, -2f}, 2);
        assertThat(h.getFloat(0)).isEqualTo(0.10009765625f);
    }

    /** Conversion rounds each element as DType's PyTorch-checked conversions do, also through a transposed view. */
    @Test
    void convertToRoundsEveryElementAsPyTorch() {
        float[] v = {1f, -2.5f, 65504f, 1e-8f, 3.14159265f, -0f, 70000f, Float.NaN, 0.1f, 1e30f, -7.75f, 2f / 3};
        Tensor f32 = Tensor.fromFloats(v, 3, 4);
        Tensor f16 = f32.convertTo(DType.F16, Arena.ofAuto());
        Tensor bf16 = f32.transpose(0, 1).convertTo(DType.BF16, Arena.ofAuto());
        assertThat(f16.dtype()).isEqualTo(DType.F16);
        assertThat(bf16.shape()).isEqualTo(Shape.of(4, 3));
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                float x = v[r * 4 + c];
                assertThat(Float.floatToIntBits(f16.getFloat(r, c))).isEqualTo(Float.floatToIntBits(DType.f16ToF32(DType.f32ToF16(x))));
                assertThat(Float.floatToIntBits(bf16.getFloat(c, r))).isEqualTo(Float.floatToIntBits(DType.bf16ToF32(DType.f32ToBf16(x))));
            }
        }
        // widening back is exact
        Tensor back = f16.convertTo(DType.F32, Arena.ofAuto());
        assertThat(back.toFloatArray()).isEqualTo(f16.toFloatArray());
        assertThatThrownBy(() -> Tensor.allocate(Arena.ofAuto(), DType.I8, 2).convertTo(DType.F32, Arena.ofAuto()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("I8");
    }
}
