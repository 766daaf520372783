package io.github.vectorlm.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading GPT-NeoX's datasets, writing every dtype, and damaged files refused with their name. */
class IndexedDatasetTest {
    private static final Path NEOX = PreprocessorTest.FIXTURES.resolve("neox20b_text_document");

    @Test
    void readsGptNeoxsDataset() throws IOException {
        try (IndexedDataset d = IndexedDataset.open(NEOX)) {
            assertThat(d.dtype()).isEqualTo(TokenDtype.UINT16);
            assertThat(d.documents()).isEqualTo(45);
            assertThat(d.items()).isEqualTo(45);
            assertThat(d.tokens()).isEqualTo(Files.size(IndexedDatasetFormat.binFile(NEOX)) / 2);
            int[] first = d.item(0);
            assertThat(first[first.length - 1]).isZero(); // <|endoftext|> is id 0 in the 20B tokenizer
            assertThat(d.documentStart(45)).isEqualTo(45);
        }
    }

    @Test
    void everyDtypeRoundTrips(@TempDir Path dir) throws IOException {
        for (TokenDtype t : TokenDtype.values()) {
            int[] ids = t == TokenDtype.INT8 || t == TokenDtype.INT16 || t == TokenDtype.INT32 || t == TokenDtype.INT64
                    ? new int[] {-5, 0, 7, 100} : new int[] {0, 7, 100, 255};
            Path prefix = dir.resolve(t.name());
            try (IndexedDatasetWriter w = IndexedDatasetWriter.create(prefix, t)) {
                w.addDocument(ids, ids.length);
                w.addItem(ids, 2);
                w.addItem(ids, 0);
                w.endDocument();
                w.finish();
            }
            try (IndexedDataset d = IndexedDataset.open(prefix)) {
                assertThat(d.dtype()).isEqualTo(t);
                assertThat(d.item(0)).as(t.name()).containsExactly(ids);
                assertThat(d.item(1)).containsExactly(ids[0], ids[1]);
                assertThat(d.item(2)).isEmpty();
                assertThat(d.documents()).isEqualTo(2);
                assertThat(d.documentStart(1)).isEqualTo(1);
            }
        }
        assertThat(TokenDtype.bestFitting(50277)).isEqualTo(TokenDtype.UINT16);
        assertThat(TokenDtype.bestFitting(65500)).isEqualTo(TokenDtype.INT32);
    }

    @Test
    void idsThatDoNotFitAreRefusedAndAnUnfinishedWriterLeavesNothing(@TempDir Path dir) throws IOException {
        try (IndexedDatasetWriter w = IndexedDatasetWriter.create(dir.resolve("x"), TokenDtype.UINT16)) {
            assertThatThrownBy(() -> w.addItem(new int[] {70000}, 1)).hasMessageContaining("70000")
                    .hasMessageContaining("UINT16");
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
        assertThatThrownBy(() -> IndexedDatasetWriter.create(dir.resolve("nope/x"), TokenDtype.UINT16))
                .hasMessageContaining("does not exist");
    }

    @Test
    void damagedFilesAreRefusedWithTheirName(@TempDir Path dir) throws IOException {
        byte[] idx = Files.readAllBytes(IndexedDatasetFormat.idxFile(NEOX));
        byte[] bin = Files.readAllBytes(IndexedDatasetFormat.binFile(NEOX));
        expectBroken(dir, "magic", edit(idx, b -> b[0] = 'X'), bin, "no MMIDIDX magic");
        expectBroken(dir, "version", edit(idx, b -> b[9] = 2), bin, "version 2");
        expectBroken(dir, "dtype", edit(idx, b -> b[17] = 6), bin, "dtype code 6");
        expectBroken(dir, "count", edit(idx, b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(18, 1L << 40)),
                bin, "items");
        expectBroken(dir, "short", Arrays.copyOf(idx, idx.length - 3), bin, "bytes after it");
        expectBroken(dir, "tiny", Arrays.copyOf(idx, 20), bin, "too short");
        expectBroken(dir, "binshort", idx, Arrays.copyOf(bin, bin.length - 2), ".bin");
        // a wild pointer or document entry fails when read, naming the entry
        Path wild = write(dir, "wild", edit(idx, b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(34 + 45 * 4 + 8 * 3, 1L << 50)), bin);
        try (IndexedDataset d = IndexedDataset.open(wild)) {
            assertThatThrownBy(() -> d.item(3)).hasMessageContaining("wild.idx").hasMessageContaining("item 3");
        }
        Path docs = write(dir, "docs", edit(idx, b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(34 + 45 * 12 + 8 * 5, 99)), bin);
        try (IndexedDataset d = IndexedDataset.open(docs)) {
            assertThatThrownBy(() -> d.documentStart(5)).hasMessageContaining("document-index entry 5");
        }
        assertThatThrownBy(() -> IndexedDataset.open(dir.resolve("missing"))).hasMessageContaining("missing.idx");
    }

    private static byte[] edit(byte[] original, java.util.function.Consumer<byte[]> change) {
        byte[] copy = original.clone();
        change.accept(copy);
        return copy;
    }

    private static Path write(Path dir, String name, byte[] idx, byte[] bin) throws IOException {
        Path prefix = dir.resolve(name);
        Files.write(IndexedDatasetFormat.idxFile(prefix), idx);
        Files.write(IndexedDatasetFormat.binFile(prefix), bin);
        return prefix;
    }

    private static void expectBroken(Path dir, String name, byte[] idx, byte[] bin, String message) throws IOException {
        Path prefix = write(dir, name, idx, bin);
        assertThatThrownBy(() -> IndexedDataset.open(prefix)).as(name).isInstanceOf(IOException.class)
                .hasMessageContaining(name).hasMessageContaining(message);
    }
}
