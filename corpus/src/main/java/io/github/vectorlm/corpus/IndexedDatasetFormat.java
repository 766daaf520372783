package io.github.vectorlm.corpus;

import java.nio.file.Path;

/**
 * The layout of a Megatron-LM / GPT-NeoX memory-mapped indexed dataset ({@code MMapIndexedDataset}
 * in {@code megatron/data/indexed_dataset.py}), a pair of files beside a common prefix:
 * <ul>
 *   <li>{@code PREFIX.bin}: every item's tokens, one after another, little-endian, in the dataset's
 *       {@link TokenDtype};</li>
 *   <li>{@code PREFIX.idx}: the 9-byte magic {@code "MMIDIDX\0\0"}; the version, 1, as a u64; the
 *       dtype code as a u8; the item count {@code n} and the document-index length {@code d}, u64
 *       each; then {@code n} i32 item sizes (tokens), {@code n} i64 item pointers (byte offsets into
 *       the {@code .bin}), and {@code d} i64 document-index entries: item numbers where documents
 *       start, beginning with 0 and ending with {@code n}.</li>
 * </ul>
 * All integers are little-endian; nothing is aligned.
 */
final class IndexedDatasetFormat {
    static final byte[] MAGIC = {'M', 'M', 'I', 'D', 'I', 'D', 'X', 0, 0};
    static final long VERSION = 1;
    /** Magic, version, dtype code, item count, document-index length. */
    static final int HEADER_BYTES = 9 + 8 + 1 + 8 + 8;

    private IndexedDatasetFormat() {
    }

    static Path binFile(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + ".bin");
    }

    static Path idxFile(Path prefix) {
        return prefix.resolveSibling(prefix.getFileName() + ".idx");
    }
}
