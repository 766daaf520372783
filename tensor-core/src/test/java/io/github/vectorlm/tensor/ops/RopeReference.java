package io.github.vectorlm.tensor.ops;

/** Scalar twin of {@link Rope}. */
public final class RopeReference {
    private RopeReference() {
    }

    /** Same contract as {@link Rope#apply}. */
    public static void apply(float[] x, int offset, int rows, int nHeads, int headDim, int startPosition,
            RopeTable table) {
        Rope.checkArguments(x, offset, rows, nHeads, headDim, startPosition, table);
        int half = table.rotaryDims() / 2;
        for (int r = 0; r < rows; r++) {
            int position = startPosition + r;
            for (int h = 0; h < nHeads; h++) {
                int head = offset + (r * nHeads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float x1 = x[head + i];
                    float x2 = x[head + i + half];
                    float c = table.cos(position, i);
                    float s = table.sin(position, i);
                    x[head + i] = x1 * c - x2 * s;
                    x[head + i + half] = x2 * c + x1 * s;
                }
            }
        }
    }
}
