package io.github.vectorlm.corpus;

import java.util.Arrays;

/**
 * One key's documents of a chunk, tokenized and already laid out as the {@code .bin} stores them
 * (little-endian, in the dataset's dtype), so that the writing thread only copies bytes.
 * A document has one item of {@code size} tokens, or none when its size is 0 (an empty text).
 */
final class EncodedDocuments {
    private final TokenDtype dtype;
    private byte[] tokens = new byte[1 << 16];
    private int tokenBytes;
    private int[] sizes = new int[256];
    private int documents;

    EncodedDocuments(TokenDtype dtype) {
        this.dtype = dtype;
    }

    /**
     * Adds a document of {@code ids} and, if {@code endOfText >= 0}, that id after them.
     *
     * @throws IllegalArgumentException if an id does not fit the dtype
     */
    void add(int[] ids, int endOfText) {
        int count = ids.length + (endOfText >= 0 ? 1 : 0);
        int need = tokenBytes + count * dtype.bytes();
        if (need > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(need, 2 * tokens.length));
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(tokens, tokenBytes, count * dtype.bytes())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int id : ids) {
            put(out, id);
        }
        if (endOfText >= 0) {
            put(out, endOfText);
        }
        tokenBytes = need;
        if (documents == sizes.length) {
            sizes = Arrays.copyOf(sizes, 2 * sizes.length);
        }
        sizes[documents++] = count;
    }

    private void put(java.nio.ByteBuffer out, int id) {
        if (!dtype.holds(id)) {
            throw new IllegalArgumentException("token id " + id + " does not fit the dataset's " + dtype);
        }
        dtype.put(out, id);
    }

    /** Writes the documents to {@code writer}. */
    void writeTo(IndexedDatasetWriter writer) throws java.io.IOException {
        writer.addDocuments(tokens, tokenBytes, sizes, documents);
    }

    /** Tokens in all documents. */
    long tokens() {
        return tokenBytes / dtype.bytes();
    }
}
