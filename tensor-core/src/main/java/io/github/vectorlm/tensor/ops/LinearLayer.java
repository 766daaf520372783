package io.github.vectorlm.tensor.ops;

/**
 * A linear layer {@link Matmul} runs: the weights as stored ({@link Linear}), their LLM.int8()
 * quantization ({@link Int8Linear}), or Q8_0/Q4_0/Q6_K blocks ({@link QuantizedLinear}).
 * {@link Matmul#linear(float[], int, float[], int, int, LinearLayer, Parallel)} and
 * {@link Matmul#linearEachRow(float[], int, float[], int, int, LinearLayer, Parallel)} take any of
 * them, for code that holds a layer without caring how its weights are kept.
 */
public sealed interface LinearLayer permits Linear, Int8Linear, QuantizedLinear {
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
}
