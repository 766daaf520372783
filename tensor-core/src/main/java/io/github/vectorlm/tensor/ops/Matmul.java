package io.github.vectorlm.tensor.ops;

/**
 * {@code y = x·W (+ b)} for a {@link Linear} layer, reading the weight in place in the orientation
 * and dtype it is stored in. One row is a GEMV (decode, memory-bound); many rows take the blocked
 * GEMM path (prefill, compute-bound). Accumulates in f32.
 */
public final class Matmul {
    private Matmul() {
    }

    /**
     * {@code out[r, :] = in[r, :]·W + b} for {@code r < rows}: {@code in} holds [rows, linear.in()]
     * floats from {@code inOffset}, {@code out} receives [rows, linear.out()] floats from
     * {@code outOffset}. {@code in} and {@code out} must not overlap.
     *
     * @throws IllegalArgumentException if an array is too short for the shapes
     */
    public static void linear(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear,
            Parallel parallel) {
        MatmulReference.linear(out, outOffset, in, inOffset, rows, linear);
    }

    static void checkArguments(float[] out, int outOffset, float[] in, int inOffset, int rows, Linear linear) {
        Elements.requireRange("matmul input " + linear, in.length, inOffset, (long) rows * linear.in());
        Elements.requireRange("matmul output " + linear, out.length, outOffset, (long) rows * linear.out());
    }
}
