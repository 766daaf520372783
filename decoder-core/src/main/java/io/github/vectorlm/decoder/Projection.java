package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.ops.Int8Linear;
import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.Matmul;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.tensor.ops.QuantizedLinear;

/**
 * A linear layer as the forward pass runs it: the weights as stored ({@link Matmul#linear}), their
 * LLM.int8() quantization, or Q8_0/Q4_0 blocks. A model calls only this (through {@link DecoderStep#project}), so the
 * two are interchangeable per layer.
 */
public interface Projection {
    /**
     * Input features.
     *
     * @return the input width
     */
    int in();

    /**
     * Output features.
     *
     * @return the output width
     */
    int out();

    /**
     * {@code out[r, :] = in[r, :]·W + b} for {@code r < rows}, as {@link Matmul#linear}: one row
     * with the decode arithmetic, several with the GEMM's.
     *
     * @param out the output rows
     * @param outOffset where they start
     * @param in the input rows
     * @param inOffset where they start
     * @param rows how many rows
     * @param parallel the thread pool
     */
    void apply(float[] out, int outOffset, float[] in, int inOffset, int rows, Parallel parallel);

    /**
     * As {@link #apply}, each row with the arithmetic it has alone ({@link Matmul#linearEachRow}),
     * the weights read once for all rows.
     *
     * @param out the output rows
     * @param outOffset where they start
     * @param in the input rows
     * @param inOffset where they start
     * @param rows how many rows
     * @param parallel the thread pool
     */
    void applyEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows, Parallel parallel);

    /**
     * The layer with its weights as stored.
     *
     * @param linear the layer
     * @return it as a projection
     */
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
            public void applyEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows,
                    Parallel parallel) {
                Matmul.linearEachRow(out, outOffset, in, inOffset, rows, linear, parallel);
            }

            @Override
            public String toString() {
                return linear.toString();
            }
        };
    }

    /**
     * The layer quantized in the LLM.int8() style ({@link Matmul#linear(float[], int, float[], int, int, Int8Linear, Parallel)}).
     *
     * @param linear the quantized layer
     * @return it as a projection
     */
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
            public void applyEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows,
                    Parallel parallel) {
                Matmul.linearEachRow(out, outOffset, in, inOffset, rows, linear, parallel);
            }

            @Override
            public String toString() {
                return linear.toString();
            }
        };
    }

    /**
     * The layer with Q8_0/Q4_0 weights ({@link Matmul#linear(float[], int, float[], int, int, QuantizedLinear, Parallel)}).
     *
     * @param linear the quantized layer
     * @return it as a projection
     */
    static Projection of(QuantizedLinear linear) {
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
            public void applyEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows,
                    Parallel parallel) {
                Matmul.linearEachRow(out, outOffset, in, inOffset, rows, linear, parallel);
            }

            @Override
            public String toString() {
                return linear.toString();
            }
        };
    }
}
