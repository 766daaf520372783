package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.ops.Linear;
import io.github.vectorlm.tensor.ops.LinearLayer;
import io.github.vectorlm.tensor.ops.Matmul;
import io.github.vectorlm.tensor.ops.Parallel;

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
     * The layer as {@link Matmul} runs it: with its weights as stored ({@link Linear}), quantized in
     * the LLM.int8() style ({@link io.github.vectorlm.tensor.ops.Int8Linear}), or in Q8_0/Q4_0
     * blocks ({@link io.github.vectorlm.tensor.ops.QuantizedLinear}).
     *
     * @param layer the layer
     * @return it as a projection
     */
    static Projection of(LinearLayer layer) {
        return new Projection() {
            @Override
            public int in() {
                return layer.in();
            }

            @Override
            public int out() {
                return layer.out();
            }

            @Override
            public void apply(float[] out, int outOffset, float[] in, int inOffset, int rows, Parallel parallel) {
                Matmul.linear(out, outOffset, in, inOffset, rows, layer, parallel);
            }

            @Override
            public void applyEachRow(float[] out, int outOffset, float[] in, int inOffset, int rows,
                    Parallel parallel) {
                Matmul.linearEachRow(out, outOffset, in, inOffset, rows, layer, parallel);
            }

            @Override
            public String toString() {
                return layer.toString();
            }
        };
    }
}
