package io.github.vectorlm.tensor.ops;

/**
 * Per-thread reusable float buffers for the kernels (packed GEMM panels, widened weight rows,
 * widened parameter vectors), so that the token loop allocates nothing: each buffer is allocated
 * the first time a thread needs it at that size and then reused.
 */
final class Scratch {
    /** GEMM: packed rows of x. */
    static final int X_PACK = 0;
    /** GEMM: packed weight panels. */
    static final int W_PACK = 1;
    /** GEMM: one edge tile. */
    static final int TILE = 2;
    /** Widened weight rows (GEMV) or a widened weight block (GEMM packing). */
    static final int WEIGHTS = 3;
    /** Widened parameter vectors: biases, norm weights, position rows. */
    static final int PARAMS = 4;
    /** A second parameter vector (a norm's bias beside its weight). */
    static final int PARAMS2 = 5;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[6][]);

    private Scratch() {
    }

    /** This thread's buffer {@code slot}, at least {@code size} floats long; contents undefined. */
    static float[] get(int slot, int size) {
        float[][] buffers = BUFFERS.get();
        float[] b = buffers[slot];
        if (b == null || b.length < size) {
            b = new float[size];
            buffers[slot] = b;
        }
        return b;
    }
}
