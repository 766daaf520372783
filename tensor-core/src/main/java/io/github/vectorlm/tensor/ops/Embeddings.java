package io.github.vectorlm.tensor.ops;

import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;

/** Embedding lookups: token rows and learned position rows of a [rows, dim] F32/F16/BF16 table, widened to f32. */
public final class Embeddings {
    private Embeddings() {
    }

    /** {@code out[i, :] = table[ids[idsOffset + i], :]} for {@code i < n}, widened to f32. */
    public static void lookup(float[] out, int outOffset, Tensor table, int[] ids, int idsOffset, int n) {
        checkTable(table);
        int dim = (int) table.dim(1);
        Elements.requireRange("embedding output", n, dim, out.length, outOffset, (long) n * dim);
        Elements.requireRange("embedding ids", ids.length, idsOffset, n);
        for (int i = 0; i < n; i++) {
            int id = ids[idsOffset + i];
            if (id < 0 || id >= table.dim(0)) {
                throw new IllegalArgumentException("token id " + id + " outside the embedding table's "
                        + table.dim(0) + " rows");
            }
            copyRow(out, outOffset + i * dim, table, id, dim);
        }
    }

    /** {@code out[i, :] += table[startPosition + i, :]} for {@code i < n}: learned position embeddings. */
    public static void addPositions(float[] out, int outOffset, Tensor table, int startPosition, int n) {
        checkTable(table);
        int dim = (int) table.dim(1);
        Elements.requireRange("position embedding output", n, dim, out.length, outOffset, (long) n * dim);
        if (startPosition < 0 || startPosition + n > table.dim(0)) {
            throw new IllegalArgumentException("positions [" + startPosition + ", " + (startPosition + n)
                    + ") outside the position table's " + table.dim(0) + " rows");
        }
        float[] scratch = Scratch.get(Scratch.PARAMS, dim);
        for (int i = 0; i < n; i++) {
            Widen.addTensor(out, outOffset + i * dim, table, (long) (startPosition + i) * dim, dim, scratch);
        }
    }

    private static void copyRow(float[] out, int o, Tensor table, int row, int dim) {
        Widen.tensor(table, (long) row * dim, out, o, dim);
    }

    private static void checkTable(Tensor table) {
        if (table.rank() != 2 || !table.isContiguous() || table.dim(1) > Integer.MAX_VALUE
                || (table.dtype() != DType.F32 && table.dtype() != DType.F16 && table.dtype() != DType.BF16)) {
            throw new IllegalArgumentException("embedding table must be a contiguous 2-D F32/F16/BF16 tensor, got "
                    + table);
        }
    }
}
