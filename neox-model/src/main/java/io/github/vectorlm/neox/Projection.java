package io.github.vectorlm.neox;

import io.github.vectorlm.tensor.ops.Int8Linear;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.Matmul;
import io.github.vectorlm.tensor.ops.Parallel;

/**
 * A linear layer as the forward pass runs it: the weights as stored ({@link Matmul#linear}), or
 * their int8 quantization. The model calls only this, so the two are interchangeable per layer.
 */
interface Projection {
    /** Input features. */
    int in();

    /** Output features. */
    int out();

    /** {@code out[r, :] = in[r, :]·W + b} for {@code r < rows}, as {@link Matmul#linear}. */
    void apply(float[] out, int outOffset, float[] in, int inOffset, int rows, Parallel parallel);

    /** The layer with its weights as stored. */
    static Projection of(Linear linear) {
        return new Projection() {
            @Override
            public int in() {
                return linear.in();
            }

            @Override
            public int out() {
                return linear.out();
            }

            @Override
            public void apply(float[] out, int outOffset, float[] in, int inOffset, int rows, Parallel parallel) {
                Matmul.linear(out, outOffset, in, inOffset, rows, linear, parallel);
            }

            @Override
            public String toString() {
                return linear.toString();
            }
        };
    }

    /** The layer quantized in the LLM.int8() style ({@link Matmul#linear(float[], int, float[], int, int, Int8Linear, Parallel)}). */
    static Projection of(Int8Linear linear) {
        return new Projection() {
            @Override
            public int in() {
                return linear.in();
            }

            @Override
            public int out() {
                return linear.out();
            }

            @Override
            public void apply(float[] out, int outOffset, float[] in, int inOffset, int rows, Parallel parallel) {
                Matmul.linear(out, outOffset, in, inOffset, rows, linear, parallel);
            }

            @Override
            public String toString() {
                return linear.toString();
            }
        };
    }
}
