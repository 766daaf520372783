package io.github.vectorlm.decoder;

import io.github.vectorlm.tensor.QuantizedTensor;
import io.github.vectorlm.tensor.Tensor;
import io.github.vectorlm.tensor.ops.Embeddings;
import java.util.Objects;

/**
 * A token embedding table [vocab, width] as a model reads it: an F32/F16/BF16 {@link Tensor}
 * (rows widened by {@link Embeddings#lookup}), or a block-quantized one read in place, each looked-up
 * row dequantized by ggml's arithmetic ({@link QuantizedTensor#dequantizeRow}: a GGUF's Q8_0, Q4_0,
 * Q6_K… {@code token_embd}). Lookups allocate nothing.
 */
public abstract sealed class TokenEmbedding {
    private TokenEmbedding() {
    }

    /**
     * The table as stored.
     *
     * @param table [vocab, width], F32, F16 or BF16
     * @return it
     */
    public static TokenEmbedding of(Tensor table) {
        return new Plain(Objects.requireNonNull(table, "table"));
    }

    /**
     * A block-quantized table, read in place.
     *
     * @param table [vocab, width] of a type {@link io.github.vectorlm.tensor.BlockType#canDequantize()} decodes
     * @return it
     * @throws IllegalArgumentException if the table is not 2-D or its type cannot be dequantized
     */
    public static TokenEmbedding of(QuantizedTensor table) {
        Objects.requireNonNull(table, "table");
        if (table.shape().rank() != 2 || !table.type().canDequantize() || table.rowLength() > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("a token embedding must be a 2-D table of a dequantizable type, got " + table);
        }
        return new Quantized(table);
    }

    /**
     * {@code out[i, :] = table[ids[idsOffset + i], :]} for {@code i < n}, as f32.
     *
     * @throws IllegalArgumentException if an id is outside the table or the output too short
     */
    public abstract void lookup(float[] out, int outOffset, int[] ids, int idsOffset, int n);

    /**
     * Rows of the table (the vocabulary).
     *
     * @return the rows
     */
    public abstract long rows();

    private static final class Plain extends TokenEmbedding {
        private final Tensor table;

        Plain(Tensor table) {
            this.table = table;
        }

        @Override
        public void lookup(float[] out, int outOffset, int[] ids, int idsOffset, int n) {
            Embeddings.lookup(out, outOffset, table, ids, idsOffset, n);
        }

        @Override
        public long rows() {
            return table.dim(0);
        }

        @Override
        public String toString() {
            return table.toString();
        }
    }

    private static final class Quantized extends TokenEmbedding {
        private final QuantizedTensor table;
        private final int width;

        Quantized(QuantizedTensor table) {
            this.table = table;
            this.width = (int) table.rowLength();
        }

        @Override
        public void lookup(float[] out, int outOffset, int[] ids, int idsOffset, int n) {
            Objects.checkFromIndexSize(idsOffset, n, ids.length);
            Objects.checkFromIndexSize(outOffset, Math.multiplyExact(n, width), out.length);
            for (int i = 0; i < n; i++) {
                int id = ids[idsOffset + i];
                if (id < 0 || id >= table.rows()) {
                    throw new IllegalArgumentException("token id " + id + " outside the embedding table's "
                            + table.rows() + " rows");
                }
                table.dequantizeRow(id, out, outOffset + i * width);
            }
        }

        @Override
        public long rows() {
            return table.rows();
        }

        @Override
        public String toString() {
            return table.toString();
        }
    }
}
