package io.github.vectorlm.tensor.ops;

/**
 * Per-thread buffers of {@link Gemv} beside {@link Scratch}'s: the even and odd halves of the input
 * row or of the outputs that the BF16 kernels use, and the F16 dot product's. Each is allocated the first time a thread needs
 * it at that size and then reused, so a decode step allocates nothing.
 */
final class GemvScratch {
    /** Input elements 0, 2, 4, ... (BF16 OUT_IN). */
    static final int X_EVEN = 0;
    /** Input elements 1, 3, 5, ... (BF16 OUT_IN). */
    static final int X_ODD = 1;
    /** Outputs 0, 2, 4, ... of a block (BF16 IN_OUT). */
    static final int Y_EVEN = 2;
    /** Outputs 1, 3, 5, ... of a block (BF16 IN_OUT). */
    static final int Y_ODD = 3;
    /** An F16 row widened exactly (the rare row with an infinity or NaN). */
    static final int ROW = 4;
    /** The lanes of one float vector, summed in scalar code. */
    static final int LANES = 5;

    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[6][]);

    private static final ThreadLocal<int[]> SINK = ThreadLocal.withInitial(() -> new int[1]);

    private GemvScratch() {
    }

    /**
     * Where a kernel leaves the sum of bytes it read only to have their cache lines fetched
     * sooner: a store C2 cannot drop, so it keeps those loads. Never read.
     */
    static int[] sink() {
        return SINK.get();
    }

    /** This thread's float buffer {@code slot}, at least {@code size} long; contents undefined. */
    static float[] floats(int slot, int size) {
        float[][] buffers = FLOATS.get();
        float[] b = buffers[slot];
        if (b == null || b.length < size) {
            b = new float[size];
            buffers[slot] = b;
        }
        return b;
    }
}
