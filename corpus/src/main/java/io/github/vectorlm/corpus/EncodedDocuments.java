package io.github.vectorlm.corpus;

import io.github.vectorlm.generation.IntList;
import java.util.Arrays;

/**
 * One key's documents of a chunk, tokenized and already laid out as the {@code .bin} stores them
 * (little-endian, in the dataset's dtype), so that the writing thread only copies bytes.
 * A document has one item of {@code size} tokens, or none when its size is 0 (an empty text).
 */
final class EncodedDocuments {
    private final TokenDtype dtype;
    private byte[] tokens;
    private int tokenBytes;
    private int[] sizes = new int[256];
    private int documents;

    /** Room for about {@code expectedTokens} tokens before growing. */
    EncodedDocuments(TokenDtype dtype, int expectedTokens) {
        this.dtype = dtype;
        this.tokens = new byte[Math.max(1 << 12, expectedTokens * dtype.bytes())];
    }

    /**
     * Adds a document of {@code ids} and, if {@code endOfText >= 0}, that id after them.
     *
     * @throws IllegalArgumentException if an id does not fit the dtype
     */
    void add(IntList ids, int endOfText) {
        int n = ids.size();
        int width = dtype.bytes();
        int count = n + (endOfText >= 0 ? 1 : 0);
        int need = tokenBytes + count * width;
        if (need > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(need, 2 * tokens.length));
        }
        int at = tokenBytes;
        for (int i = 0; i < n; i++, at += width) {
            put(at, ids.get(i));
        }
        if (endOfText >= 0) {
            put(at, endOfText);
        }
        tokenBytes = need;
        if (documents == sizes.length) {
            sizes = Arrays.copyOf(sizes, 2 * sizes.length);
        }
        sizes[documents++] = count;
    }

    private void put(int offset, int id) {
        if (!dtype.holds(id)) {
            throw new IllegalArgumentException("token id " + id + " does not fit the dataset's " + dtype);
        }
        dtype.put(tokens, offset, id);
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
