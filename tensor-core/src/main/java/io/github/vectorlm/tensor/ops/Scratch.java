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

    /** Int8: quantized activation rows. */
    static final int QUANTIZED = 6;
    /** Int8: the outlier columns of the weight, widened. */
    static final int OUTLIERS = 7;
    /** Several rows' one-row products: widened weight rows ({@link EachRowDots}) or a block of them ({@link EachRowColumns}). */
    static final int EACH_ROW = 8;
    /** Several rows' one-row products: the accumulator chains of a tile ({@link EachRowDots}). */
    static final int CHAINS = 9;

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[Simd.L]);

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[10][]);
    private static final ThreadLocal<int[][]> INT_BUFFERS = ThreadLocal.withInitial(() -> new int[2][]);

    private Scratch() {
    }

    /** This thread's int buffer {@code slot} (0 or 1), at least {@code size} long; contents undefined. */
    static int[] ints(int slot, int size) {
        int[][] buffers = INT_BUFFERS.get();
        int[] b = buffers[slot];
        if (b == null || b.length < size) {
            b = new int[size];
            buffers[slot] = b;
        }
        return b;
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

    /**
     * This thread's array of one vector's lanes: a kernel stores an accumulator here and sums it
     * with {@link Simd#sumLanes} instead of passing the vector to a helper method, which C2 does
     * not always inline (then the vector is boxed on the heap at the call).
     */
    static float[] lanes() {
        return LANES.get();
    }
}
