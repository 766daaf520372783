package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Structures that nest or grow past {@link ReaderLimits}, in every format but pickles (TorchHostileInputTest has those). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReaderLimitsTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------ sharded indexes

    @Test
    void aShardIndexThatNamesItselfIsRefusedNotOpenedForever() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": {\"w\": \"model.safetensors.index.json\"}}");
        assertThatThrownBy(() -> Checkpoints.open(index))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("is itself a shard index");
        Path other = dir.resolve("other.index.json");
        Files.writeString(other, "{\"weight_map\": {\"w\": \"model.safetensors.index.json\"}}");
        assertThatThrownBy(() -> Checkpoints.open(other)).isInstanceOf(CorruptCheckpointException.class);
    }

    @Test
    void aShardThatIsAFolderIsRefused() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\": {\"w\": \"sub\"}}");
        assertThatThrownBy(() -> Checkpoints.open(index))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("is a folder; shards must be files");
    }

    @Test
    void shardIndexJsonNestedPastTheLimitIsCorruptNamingTheFile() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        int depth = ReaderLimits.MAX_JSON_NESTING_DEPTH + 1;
        Files.writeString(index, "{\"weight_map\": {}, \"metadata\": " + "[".repeat(depth) + "]".repeat(depth) + "}");
        assertThatThrownBy(() -> Checkpoints.open(index))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageStartingWith(index.toString())
                .hasMessageContaining("nesting depth");
    }

    // ------------------------------------------------------------------ safetensors

    private Path safetensors(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path file = dir.resolve("t.safetensors");
        Files.write(file, b.array());
        return file;
    }

    @Test
    void safetensorsShapesOfMoreThanMaxRankAreRefused() throws IOException {
        String ones = "1,".repeat(ReaderLimits.MAX_RANK) + "1";
        Path file = safetensors("{\"t\":{\"dtype\":\"F32\",\"shape\":[" + ones + "],\"data_offsets\":[0,4]}}", 4);
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("tensor 't'")
                .hasMessageContaining("shape has more than 64 (MAX_RANK) values");
    }

    @Test
    void safetensorsHeadersNestedPastTheLimitAreCorrupt() throws IOException {
        int depth = ReaderLimits.MAX_JSON_NESTING_DEPTH + 1;
        Path file = safetensors("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":"
                + "[".repeat(depth) + "]".repeat(depth) + "}}", 4);
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("header is not valid JSON")
                .hasMessageContaining("nesting depth");
    }

    // ------------------------------------------------------------------ TensorFlow bundles

    private static byte[] lengthDelimited(int field, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TestTables.varint(out, (long) field << 3 | 2);
        TestTables.varint(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    /** A BundleEntryProto: dtype, shape (dims), shard 0, offset 0, size, crc. */
    private static byte[] entry(int dtype, long[] dims, long size, int maskedCrc) {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (long d : dims) {
            shape.writeBytes(lengthDelimited(2, TestTables.varintField(1, d)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(TestTables.varintField(1, dtype));
        out.writeBytes(lengthDelimited(2, shape.toByteArray()));
        out.writeBytes(TestTables.varintField(5, size));
        out.write(6 << 3 | 5);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc).array());
        return out.toByteArray();
    }

    /** A one-shard bundle holding one entry named "x" over {@code data}. */
    private Path bundle(byte[] entry, byte[] data) throws IOException {
        byte[] header = TestTables.varintField(1, 1); // num_shards 1
        Path index = dir.resolve("model.ckpt.index");
        Files.write(index, TestTables.table(List.of(new LevelDbTable.Entry(new byte[0], header),
                new LevelDbTable.Entry("x".getBytes(StandardCharsets.UTF_8), entry)), false));
        Files.write(dir.resolve("model.ckpt.data-00000-of-00001"), data);
        return index;
    }

    @Test
    void tensorFlowShapesOfMoreThanMaxRankAreRefused() throws IOException {
        long[] dims = new long[ReaderLimits.MAX_RANK + 1];
        java.util.Arrays.fill(dims, 1);
        Path index = bundle(entry(1, dims, 4, 0), new byte[4]);
        assertThatThrownBy(() -> Checkpoints.open(index))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("tensor 'x'")
                .hasMessageContaining("shape of more than 64 (MAX_RANK) dimensions");
    }

    /** An empty DT_STRING tensor's 4 bytes: the masked CRC of no lengths; and the entry's masked CRC over them. */
    private static byte[][] emptyStrings() {
        byte[] data = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Crc32c.mask(0)).array();
        CRC32C crc = new CRC32C();
        crc.update(data);
        return new byte[][] {data, ByteBuffer.allocate(4).putInt(Crc32c.mask((int) crc.getValue())).array()};
    }

    @Test
    void emptyStringTensorsNestAsFewEmptyListsOrAreRefused() throws IOException {
        byte[][] empty = emptyStrings();
        int crc = ByteBuffer.wrap(empty[1]).getInt();
        try (Checkpoint ckpt = Checkpoints.open(bundle(entry(7, new long[] {2, 0, 3}, 4, crc), empty[0]))) {
            Map<?, ?> tensors = (Map<?, ?>) ((Map<?, ?>) ckpt.content()).get("tensors");
            assertThat(tensors.get("x")).isEqualTo(List.of(List.of(), List.of()));
        }
        // [2^40, 0]: no string at all, but 2^40 empty lists if taken literally
        Path huge = bundle(entry(7, new long[] {1L << 40, 0}, 4, crc), empty[0]);
        assertThatThrownBy(() -> Checkpoints.open(huge))
                .isExactlyInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("tensor 'x'")
                .hasMessageContaining("more than 65536 nested empty lists");
    }

    @Test
    void anIndexBlockWhoseKeysRepeatALongPrefixIsRefusedBeforeItExpands() throws IOException {
        // entry 0: a 100,000-byte key; then 50,000 entries each repeating it and adding one byte:
        // 5e9 bytes of keys from a 250 kB block
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        int first = 100_000;
        TestTables.varint(block, 0);
        TestTables.varint(block, first);
        TestTables.varint(block, 0);
        block.writeBytes("a".repeat(first).getBytes(StandardCharsets.US_ASCII));
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            TestTables.varint(block, first + i);
            TestTables.varint(block, 1);
            TestTables.varint(block, 0);
            block.write('b');
        }
        block.writeBytes(new byte[] {0, 0, 0, 0, 1, 0, 0, 0}); // one restart, at 0
        byte[] lastKey = ("a".repeat(first) + "b".repeat(n)).getBytes(StandardCharsets.US_ASCII);
        Path index = dir.resolve("bomb.ckpt.index");
        Files.write(index, TestTables.tableWithBlock(block.toByteArray(), lastKey, false));
        assertThatThrownBy(() -> Checkpoints.open(index))
                .isExactlyInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("data block 0")
                .hasMessageContaining("bytes per byte of the");
    }
}
