package io.github.vectorlm.corpus;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Megatron-LM / GPT-NeoX indexed dataset ({@link IndexedDatasetFormat}) opened for reading, both
 * files memory-mapped. The header is checked when opened (magic, version, dtype, that the index
 * holds what its counts say and the data file holds the items); each item and document-index
 * entry is checked when read, so a damaged file gives an error naming the file and the entry,
 * never a wrong token. Thread-safe for reading; {@link #close()} unmaps.
 */
public final class IndexedDataset implements AutoCloseable {
    private final Path prefix;
    private final Arena arena;
    private final MemorySegment idx;
    private final MemorySegment bin;
    private final TokenDtype dtype;
    private final long items;
    private final long documentEntries;
    private final long sizesAt;
    private final long pointersAt;
    private final long docsAt;

    private IndexedDataset(Path prefix, Arena arena, MemorySegment idx, MemorySegment bin) throws IOException {
        this.prefix = prefix;
        this.arena = arena;
        this.idx = idx;
        this.bin = bin;
        Path idxFile = IndexedDatasetFormat.idxFile(prefix);
        if (idx.byteSize() < IndexedDatasetFormat.HEADER_BYTES) {
            throw new IOException(idxFile + ": " + idx.byteSize() + " bytes, too short for an indexed-dataset header");
        }
        byte[] magic = idx.asSlice(0, 9).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        if (!Arrays.equals(magic, IndexedDatasetFormat.MAGIC)) {
            throw new IOException(idxFile + ": not a memory-mapped indexed dataset (no MMIDIDX magic;"
                    + " the older 'cached'/'lazy' TNTIDX format is not read)");
        }
        long version = idx.get(TokenDtype.LE_LONG, 9);
        if (version != IndexedDatasetFormat.VERSION) {
            throw new IOException(idxFile + ": version " + version + ", only version 1 is known");
        }
        try {
            this.dtype = TokenDtype.ofCode(idx.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 17) & 0xFF);
        } catch (IllegalArgumentException e) {
            throw new IOException(idxFile + ": " + e.getMessage(), e);
        }
        this.items = idx.get(TokenDtype.LE_LONG, 18);
        this.documentEntries = idx.get(TokenDtype.LE_LONG, 26);
        long rest = idx.byteSize() - IndexedDatasetFormat.HEADER_BYTES;
        if (items < 0 || documentEntries < 1 || items > rest / 12 || documentEntries > rest / 8
                || items * 12 + documentEntries * 8 != rest) {
            throw new IOException(idxFile + ": the header says " + items + " items and " + documentEntries
                    + " document-index entries, which need " + (items * 12 + documentEntries * 8)
                    + " bytes after it, but the file has " + rest);
        }
        this.sizesAt = IndexedDatasetFormat.HEADER_BYTES;
        this.pointersAt = sizesAt + items * 4;
        this.docsAt = pointersAt + items * 8;
        if (items > 0) {
            long end = itemOffset(items - 1) + (long) itemSize(items - 1) * dtype.bytes();
            if (end != bin.byteSize()) {
                throw new IOException(IndexedDatasetFormat.binFile(prefix) + ": " + bin.byteSize()
                        + " bytes, but the index puts its last item's end at " + end);
            }
        }
    }

    /**
     * Opens {@code prefix.idx} and {@code prefix.bin}.
     *
     * @throws IOException if a file is missing, unreadable or not a valid dataset (the message names it)
     */
    public static IndexedDataset open(Path prefix) throws IOException {
        Objects.requireNonNull(prefix, "prefix");
        Arena arena = Arena.ofShared();
        try {
            MemorySegment idx = map(IndexedDatasetFormat.idxFile(prefix), arena);
            MemorySegment bin = map(IndexedDatasetFormat.binFile(prefix), arena);
            return new IndexedDataset(prefix, arena, idx, bin);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file: an indexed dataset is a .bin and an .idx beside one prefix");
        }
    }

    /** The prefix the files were opened from. */
    public Path prefix() {
        return prefix;
    }

    /** The token type. */
    public TokenDtype dtype() {
        return dtype;
    }

    /** The number of items (token sequences). */
    public long items() {
        return items;
    }

    /** The number of documents: document-index entries less one. */
    public long documents() {
        return documentEntries - 1;
    }

    /** Bytes of tokens in the {@code .bin}. */
    public long itemBytes() {
        return bin.byteSize();
    }

    /** Tokens in all items. */
    public long tokens() {
        return bin.byteSize() / dtype.bytes();
    }

    /**
     * The tokens of item {@code i}.
     *
     * @throws IndexOutOfBoundsException if there is no such item
     * @throws IllegalStateException if the index puts it outside the data file or it holds an id
     *     outside the int range (the message names the file and the item)
     */
    public int[] item(long i) {
        int size = itemSize(i);
        long at = itemOffset(i);
        if (at < 0 || at > bin.byteSize() || (long) size * dtype.bytes() > bin.byteSize() - at) {
            throw new IllegalStateException(IndexedDatasetFormat.idxFile(prefix) + ": item " + i + " of " + size
                    + " tokens at byte " + at + " lies outside the " + bin.byteSize() + "-byte data file");
        }
        int[] out = new int[size];
        for (int k = 0; k < size; k++) {
            long id = dtype.get(bin, at + (long) k * dtype.bytes());
            if (id != (int) id) {
                throw new IllegalStateException(IndexedDatasetFormat.binFile(prefix) + ": item " + i + " holds id "
                        + id + ", outside the int range");
            }
            out[k] = (int) id;
        }
        return out;
    }

    /**
     * The size of item {@code i}, in tokens.
     *
     * @throws IllegalStateException if the index says a negative size
     */
    public int itemSize(long i) {
        Objects.checkIndex(i, items);
        int size = idx.get(TokenDtype.LE_INT, sizesAt + i * 4);
        if (size < 0) {
            throw new IllegalStateException(IndexedDatasetFormat.idxFile(prefix) + ": item " + i + " has size " + size);
        }
        return size;
    }

    /** The byte offset of item {@code i} in the {@code .bin}. */
    long itemOffset(long i) {
        Objects.checkIndex(i, items);
        return idx.get(TokenDtype.LE_LONG, pointersAt + i * 8);
    }

    /**
     * The first item of document {@code d}; {@code documentStart(documents())} is {@link #items()}.
     *
     * @throws IllegalStateException if the entry is outside {@code [0, items]} or below the one before it
     */
    public long documentStart(long d) {
        Objects.checkIndex(d, documentEntries);
        long start = idx.get(TokenDtype.LE_LONG, docsAt + d * 8);
        long before = d == 0 ? 0 : idx.get(TokenDtype.LE_LONG, docsAt + (d - 1) * 8);
        if (start < before || start > items) {
            throw new IllegalStateException(IndexedDatasetFormat.idxFile(prefix) + ": document-index entry " + d
                    + " is " + start + ", outside [" + before + ", " + items + "]");
        }
        return start;
    }

    /** Unmaps both files. */
    @Override
    public void close() {
        arena.close();
    }
}
