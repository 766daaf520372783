package io.github.vectorlm.corpus;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Writes a Megatron-LM / GPT-NeoX indexed dataset ({@link IndexedDatasetFormat}) the way
 * GPT-NeoX's {@code MMapIndexedDatasetBuilder} does: items (token sequences) are appended to the
 * {@code .bin}, and {@link #endDocument()} closes a document. Memory stays flat whatever the
 * corpus size: item sizes and the document index go to temporary files beside the output, and
 * {@link #finish()} writes the {@code .idx} from them and moves both files into place. Closing
 * without finishing deletes everything written. Not thread-safe.
 *
 * <pre>{@code
 * try (IndexedDatasetWriter out = IndexedDatasetWriter.create(Path.of("pile_text_document"), TokenDtype.UINT16)) {
 *     out.addDocument(ids, ids.length);
 *     out.finish();
 * }
 * }</pre>
 */
public final class IndexedDatasetWriter implements AutoCloseable {
    private final Path prefix;
    private final TokenDtype dtype;
    private final Path binTemp;
    private final Path sizesTemp;
    private final Path docsTemp;
    private final OutputStream bin;
    private final OutputStream sizes;
    private final OutputStream docs;
    private final ByteBuffer tokenBuffer;
    private final ByteBuffer numberBuffer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    private long items;
    private long documents;
    private long tokens;
    private boolean done;

    private IndexedDatasetWriter(Path prefix, TokenDtype dtype) throws IOException {
        this.prefix = prefix;
        this.dtype = dtype;
        Path bin = IndexedDatasetFormat.binFile(prefix);
        Path folder = bin.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new IOException(prefix + ": the output folder " + folder + " does not exist");
        }
        String name = prefix.getFileName().toString();
        this.binTemp = Files.createTempFile(folder, name + ".bin.", ".tmp");
        this.sizesTemp = Files.createTempFile(folder, name + ".sizes.", ".tmp");
        this.docsTemp = Files.createTempFile(folder, name + ".docs.", ".tmp");
        // appending: merged datasets are copied in through another channel
        this.bin = new BufferedOutputStream(Files.newOutputStream(binTemp, StandardOpenOption.APPEND), 1 << 20);
        this.sizes = new BufferedOutputStream(Files.newOutputStream(sizesTemp), 1 << 16);
        this.docs = new BufferedOutputStream(Files.newOutputStream(docsTemp), 1 << 16);
        this.tokenBuffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        writeLong(docs, 0); // the document index starts with item 0
    }

    /**
     * A writer of the dataset {@code prefix.bin} / {@code prefix.idx}; nothing appears under those
     * names until {@link #finish()}.
     *
     * @throws IOException if the folder does not exist or the temporary files cannot be made
     */
    public static IndexedDatasetWriter create(Path prefix, TokenDtype dtype) throws IOException {
        return new IndexedDatasetWriter(Objects.requireNonNull(prefix, "prefix"), Objects.requireNonNull(dtype, "dtype"));
    }

    /** The token type. */
    public TokenDtype dtype() {
        return dtype;
    }

    /**
     * Appends an item: {@code ids[0 .. length)}.
     *
     * @throws IllegalArgumentException if an id does not fit the dtype
     */
    public void addItem(int[] ids, int length) throws IOException {
        checkOpen();
        Objects.checkFromToIndex(0, length, ids.length);
        for (int i = 0; i < length; i++) {
            if (!dtype.holds(ids[i])) {
                throw new IllegalArgumentException("token id " + ids[i] + " does not fit the dataset's " + dtype
                        + " (writing " + prefix + ")");
            }
            if (tokenBuffer.remaining() < 8) {
                flushTokens();
            }
            dtype.put(tokenBuffer, ids[i]);
        }
        flushTokens();
        numberBuffer.clear();
        sizes.write(numberBuffer.putInt(length).array(), 0, 4);
        items++;
        tokens += length;
    }

    /** Ends the current document: the items added since the last end belong to it. */
    public void endDocument() throws IOException {
        checkOpen();
        writeLong(docs, items);
        documents++;
    }

    /** {@link #addItem} then {@link #endDocument}: a document of one item, as GPT-NeoX's preprocessing writes. */
    public void addDocument(int[] ids, int length) throws IOException {
        addItem(ids, length);
        endDocument();
    }

    /**
     * Appends {@code documents} documents whose tokens are {@code tokens[0 .. tokenBytes)}, already
     * in this dataset's dtype and byte order: document {@code d} is one item of {@code sizes[d]}
     * tokens, or no item when that is 0. For {@link Preprocessor}, whose workers lay the tokens out.
     */
    void addDocuments(byte[] tokens, int tokenBytes, int[] sizes, int documents) throws IOException {
        checkOpen();
        bin.write(tokens, 0, tokenBytes);
        for (int d = 0; d < documents; d++) {
            int size = sizes[d];
            if (size > 0) {
                numberBuffer.clear();
                this.sizes.write(numberBuffer.putInt(size).array(), 0, 4);
                items++;
                this.tokens += size;
            }
            writeLong(docs, items);
        }
        this.documents += documents;
    }

    /**
     * Appends every item and document of {@code other}, its tokens copied as they are (Megatron-LM's
     * {@code merge_file_}; unlike GPT-NeoX's copy of it, the document boundaries are kept).
     *
     * @throws IllegalArgumentException if {@code other} has another dtype
     */
    public void append(IndexedDataset other) throws IOException {
        checkOpen();
        if (other.dtype() != dtype) {
            throw new IllegalArgumentException(other.prefix() + " stores " + other.dtype() + " tokens, but "
                    + prefix + " is written in " + dtype + ": merge datasets of one dtype");
        }
        bin.flush();
        try (FileChannel source = FileChannel.open(IndexedDatasetFormat.binFile(other.prefix()));
                FileChannel target = FileChannel.open(binTemp, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            long size = other.itemBytes();
            for (long at = 0; at < size; ) {
                at += source.transferTo(at, size - at, target);
            }
        }
        long offset = items;
        for (long i = 0; i < other.items(); i++) {
            numberBuffer.clear();
            sizes.write(numberBuffer.putInt(other.itemSize(i)).array(), 0, 4);
        }
        for (long d = 1; d <= other.documents(); d++) {
            writeLong(docs, offset + other.documentStart(d));
        }
        items += other.items();
        documents += other.documents();
        tokens += other.tokens();
    }

    /** Items written so far. */
    public long items() {
        return items;
    }

    /** Documents ended so far. */
    public long documents() {
        return documents;
    }

    /** Tokens written so far. */
    public long tokens() {
        return tokens;
    }

    /**
     * Writes the {@code .idx} and moves both files to their names, replacing older ones.
     *
     * @throws IOException if writing fails (the temporary files are deleted)
     */
    public void finish() throws IOException {
        checkOpen();
        done = true;
        try {
            bin.close();
            sizes.close();
            docs.close();
            Path idxTemp = Files.createTempFile(IndexedDatasetFormat.binFile(prefix).toAbsolutePath().getParent(),
                    prefix.getFileName() + ".idx.", ".tmp");
            try {
                writeIndex(idxTemp);
                Files.move(binTemp, IndexedDatasetFormat.binFile(prefix), StandardCopyOption.REPLACE_EXISTING);
                Files.move(idxTemp, IndexedDatasetFormat.idxFile(prefix), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(idxTemp);
            }
        } finally {
            deleteTemporaries();
        }
    }

    /** Deletes what was written unless {@link #finish()} ran. */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            bin.close();
            sizes.close();
            docs.close();
        } finally {
            deleteTemporaries();
        }
    }

    private void writeIndex(Path idx) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(idx), 1 << 20)) {
            out.write(IndexedDatasetFormat.MAGIC);
            writeLong(out, IndexedDatasetFormat.VERSION);
            out.write(dtype.code());
            writeLong(out, items);
            writeLong(out, documents + 1);
            try (InputStream in = Files.newInputStream(sizesTemp)) {
                in.transferTo(out);
            }
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(sizesTemp), 1 << 16))) {
                long pointer = 0;
                for (long i = 0; i < items; i++) {
                    writeLong(out, pointer);
                    pointer += (long) Integer.reverseBytes(in.readInt()) * dtype.bytes();
                }
            }
            try (InputStream in = Files.newInputStream(docsTemp)) {
                in.transferTo(out);
            }
        }
    }

    private void flushTokens() throws IOException {
        bin.write(tokenBuffer.array(), 0, tokenBuffer.position());
        tokenBuffer.clear();
    }

    private void writeLong(OutputStream out, long value) throws IOException {
        numberBuffer.clear();
        out.write(numberBuffer.putLong(value).array(), 0, 8);
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException(prefix + ": the writer is finished or closed");
        }
    }

    private void deleteTemporaries() throws IOException {
        Files.deleteIfExists(binTemp);
        Files.deleteIfExists(sizesTemp);
        Files.deleteIfExists(docsTemp);
    }
}
