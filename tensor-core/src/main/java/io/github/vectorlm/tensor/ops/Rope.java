package io.github.vectorlm.tensor.ops;

/** Rotary position embeddings in GPT-NeoX's rotate-half form. */
public final class Rope {
    private Rope() {
    }

    /**
     * Rotates, in place, the first {@code table.rotaryDims()} dimensions of every head of
     * {@code rows} rows laid out [rows, nHeads, headDim] from {@code offset}; row {@code r} is at
     * position {@code startPosition + r}. With {@code half = rotaryDims/2}, dims {@code i} and
     * {@code i + half} turn by angle {@code i}: {@code x1' = x1·cos − x2·sin},
     * {@code x2' = x2·cos + x1·sin}; the remaining dims pass through (partial rotary).
     */
    public static void apply(float[] x, int offset, int rows, int nHeads, int headDim, int startPosition,
            RopeTable table) {
        RopeReference.apply(x, offset, rows, nHeads, headDim, startPosition, table);
    }

    static void checkArguments(float[] x, int offset, int rows, int nHeads, int headDim, int startPosition,
            RopeTable table) {
        if (table.rotaryDims() > headDim) {
            throw new IllegalArgumentException("rotary dims " + table.rotaryDims() + " exceed head dim " + headDim);
        }
        if (startPosition < 0 || startPosition + rows > table.maxPositions()) {
            throw new IllegalArgumentException("positions [" + startPosition + ", " + (startPosition + rows)
                    + ") outside the rotary table's " + table.maxPositions());
        }
        Elements.requireRange("rope", x.length, offset, (long) rows * nHeads * headDim);
    }
}
