package io.github.vectorlm.tensor.ops;

import static io.github.vectorlm.tensor.ops.Simd.F;
import static io.github.vectorlm.tensor.ops.Simd.L;

import jdk.incubator.vector.FloatVector;

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
     * Each product is rounded before the sum, as PyTorch's {@code x·cos + rotate_half(x)·sin} does.
     *
     * @throws IllegalArgumentException if the rotary dims exceed the head, the positions exceed
     *     the table, or the array is too short
     */
    public static void apply(float[] x, int offset, int rows, int nHeads, int headDim, int startPosition,
            RopeTable table) {
        checkArguments(x, offset, rows, nHeads, headDim, startPosition, table);
        int half = table.rotaryDims() / 2;
        float[] cos = table.cosArray();
        float[] sin = table.sinArray();
        for (int r = 0; r < rows; r++) {
            int angles = (startPosition + r) * half;
            for (int h = 0; h < nHeads; h++) {
                int head = offset + (r * nHeads + h) * headDim;
                int i = 0;
                for (int bound = F.loopBound(half); i < bound; i += L) {
                    FloatVector x1 = FloatVector.fromArray(F, x, head + i);
                    FloatVector x2 = FloatVector.fromArray(F, x, head + half + i);
                    FloatVector c = FloatVector.fromArray(F, cos, angles + i);
                    FloatVector s = FloatVector.fromArray(F, sin, angles + i);
                    x1.mul(c).sub(x2.mul(s)).intoArray(x, head + i);
                    x2.mul(c).add(x1.mul(s)).intoArray(x, head + half + i);
                }
                for (; i < half; i++) { // the same rounded products and sums as the vector lanes
                    float x1 = x[head + i];
                    float x2 = x[head + half + i];
                    float c = cos[angles + i];
                    float s = sin[angles + i];
                    x[head + i] = x1 * c - x2 * s;
                    x[head + half + i] = x2 * c + x1 * s;
                }
            }
        }
    }

    static void checkArguments(float[] x, int offset, int rows, int nHeads, int headDim, int startPosition,
            RopeTable table) {
        if (rows < 0 || nHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("rope: bad shape [" + rows + ", " + nHeads + ", " + headDim + "]");
        }
        if (table.rotaryDims() > headDim) {
            throw new IllegalArgumentException("rotary dims " + table.rotaryDims() + " exceed head dim " + headDim);
        }
        if (startPosition < 0 || (long) startPosition + rows > table.maxPositions()) {
            throw new IllegalArgumentException("positions [" + startPosition + ", " + ((long) startPosition + rows)
                    + ") outside the rotary table's " + table.maxPositions());
        }
        Elements.requireRange("rope input", rows, nHeads, headDim, x.length, offset, (long) rows * nHeads * headDim);
    }
}
