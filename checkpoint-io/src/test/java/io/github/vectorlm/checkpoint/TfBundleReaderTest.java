package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.MappedFile;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorFlow bundle reader against bundles written by TensorFlow 2.18's own SaveV2 /
 * MergeV2Checkpoints kernels (tools/tf-fixtures), whose expected values TensorFlow's RestoreV2
 * read back; and against damaged copies of them.
 */
class TfBundleReaderTest {
    private static final JsonNode EXPECTED = Fixtures.json("tf/expected.json");
    private static final Map<String, DType> DTYPES = Map.ofEntries(
            Map.entry("DT_FLOAT", DType.F32), Map.entry("DT_DOUBLE", DType.F64), Map.entry("DT_HALF", DType.F16),
            Map.entry("DT_BFLOAT16", DType.BF16), Map.entry("DT_INT8", DType.I8), Map.entry("DT_INT16", DType.I16),
            Map.entry("DT_INT32", DType.I32), Map.entry("DT_INT64", DType.I64), Map.entry("DT_UINT8", DType.U8),
            Map.entry("DT_UINT16", DType.U16), Map.entry("DT_UINT32", DType.U32), Map.entry("DT_UINT64", DType.U64),
            Map.entry("DT_BOOL", DType.BOOL), Map.entry("DT_FLOAT8_E4M3FN", DType.F8_E4M3),
            Map.entry("DT_FLOAT8_E5M2", DType.F8_E5M2));

    @TempDir
    Path temp;

    private static void assertMatchesTensorFlow(Checkpoint ckpt, JsonNode expected) throws IOException {
        List<String> numeric = new ArrayList<>();
        for (var it = expected.fields(); it.hasNext(); ) {
            var field = it.next();
            String name = field.getKey();
            JsonNode e = field.getValue();
            if (e.get("dtype").asText().equals("DT_STRING")) {
                continue;
            }
            numeric.add(name);
            TensorInfo info = ckpt.info(name);
            assertThat(info.dtype()).as(name).isEqualTo(DTYPES.get(e.get("dtype").asText()));
            assertThat(info.shape()).as(name).isEqualTo(Shape.of(Fixtures.shape(e.get("shape"))));
            Tensor t = ckpt.tensor(name);
            assertThat(t.shape()).isEqualTo(info.shape());
            Fixtures.assertValues(name, t, e.get("values"));
            assertThat(t.numel() == 0 || t.segment().isMapped()).as(name + " viewed in place").isTrue();
        }
        assertThat(ckpt.tensorNames()).containsExactlyInAnyOrderElementsOf(numeric);
    }

    @Test
    void readsEveryDtypeScalarAndEmptyTensorAsTensorFlowRestoresThem() throws IOException {
        Path index = Fixtures.resource("tf/basic/model.ckpt.index");
        assertThat(Checkpoints.detect(index)).isEqualTo(CheckpointFormat.TENSORFLOW_BUNDLE);
        try (Checkpoint ckpt = Checkpoints.open(index)) {
            assertThat(ckpt.format()).isEqualTo(CheckpointFormat.TENSORFLOW_BUNDLE);
            assertMatchesTensorFlow(ckpt, EXPECTED.get("basic"));
            assertThat(ckpt.tensor("scalar/float").rank()).isZero();
            assertThat(ckpt.tensor("empty/float").shape()).isEqualTo(Shape.of(0, 3));
            assertThat(ckpt.tensor("model/h0/attn/c_attn/w").shape()).isEqualTo(Shape.of(1, 4, 12));
        }
    }

    @Test
    void stringTensorsAreByteStringsInContent() throws IOException {
        try (Checkpoint ckpt = Checkpoints.open(Fixtures.resource("tf/basic/model.ckpt.index"))) {
            Map<?, ?> content = (Map<?, ?>) ckpt.content();
            Map<?, ?> header = (Map<?, ?>) content.get("header");
            assertThat(header.get("num_shards")).isEqualTo(1L);
            assertThat(header.get("endianness")).isEqualTo("LITTLE");
            Map<?, ?> tensors = (Map<?, ?>) content.get("tensors");
            List<?> vector = (List<?>) tensors.get("string/vector");
            JsonNode expected = EXPECTED.get("basic").get("string/vector").get("values");
            assertThat(vector).hasSize(expected.size());
            for (int i = 0; i < vector.size(); i++) {
                assertThat((byte[]) vector.get(i)).isEqualTo(Base64.getDecoder().decode(expected.get(i).asText()));
            }
            assertThat(new String((byte[]) vector.get(2), StandardCharsets.UTF_8)).isEqualTo("h\u00e9llo w\u00f6rld \u2603");
            assertThat((byte[]) tensors.get("string/scalar")).isEqualTo("gpt-2".getBytes(StandardCharsets.UTF_8));
            assertThat(tensors.get("float/matrix")).isEqualTo(new TensorRef("float/matrix"));
            assertThat(ckpt.tensorNames()).doesNotContain("string/vector");
            assertThatThrownBy(() -> ckpt.tensor("string/vector")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("string tensor");
        }
    }

    @Test
    void opensFromThePrefixAndFromTheFolderCheckpointFile() throws IOException {
        Path folder = Fixtures.resource("tf/basic");
        assertThat(TfBundleReader.indexFromFolder(folder)).isEqualTo(folder.resolve("model.ckpt.index"));
        try (Checkpoint byPrefix = Checkpoints.open(folder.resolve("model.ckpt"));
                Checkpoint byFolder = Checkpoints.open(folder)) {
            assertThat(byPrefix.path()).isEqualTo(folder.resolve("model.ckpt.index"));
            assertThat(byFolder.tensorNames()).isEqualTo(byPrefix.tensorNames());
        }
        assertThat(TfBundleReader.indexFromFolder(Fixtures.resource("tf/sharded"))).isNull();
    }

    @Test
    void checkpointFileWithAForeignAbsolutePathFallsBackToTheFolder() throws IOException {
        Path folder = Fixtures.copyFolder("tf/basic", temp.resolve("copy"));
        Files.writeString(folder.resolve("checkpoint"), "model_checkpoint_path: \"/gcs/openai/models/124M/model.ckpt\"\n");
        assertThat(TfBundleReader.indexFromFolder(folder)).isEqualTo(folder.resolve("model.ckpt.index"));
        Files.writeString(folder.resolve("checkpoint"), "model_checkpoint_path: \"other.ckpt\"\n");
        assertThatThrownBy(() -> TfBundleReader.indexFromFolder(folder)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("other.ckpt.index");
    }

    @Test
    void twoShardsWrittenByMergeV2Checkpoints() throws IOException {
        Path index = Fixtures.resource("tf/sharded/model.ckpt.index");
        try (Checkpoint ckpt = Checkpoints.open(index)) {
            assertThat(((Map<?, ?>) ((Map<?, ?>) ckpt.content()).get("header")).get("num_shards")).isEqualTo(2L);
            assertMatchesTensorFlow(ckpt, EXPECTED.get("sharded"));
            assertThat(ckpt.tensor("layer0/w").segment()).isNotSameAs(ckpt.tensor("layer1/w").segment());
        }
    }

    @Test
    void partitionedVariablesAreListedButRefusedByName() throws IOException {
        try (Checkpoint ckpt = Checkpoints.open(Fixtures.resource("tf/sliced/model.ckpt.index"))) {
            assertThat(ckpt.tensorNames()).containsExactlyInAnyOrder("part/var", "whole");
            assertThat(ckpt.info("part/var").shape()).isEqualTo(Shape.of(4, 3));
            assertThatThrownBy(() -> ckpt.tensor("part/var"))
                    .isInstanceOfSatisfying(UnsupportedCheckpointException.class,
                            e -> assertThat(e.tensor()).isEqualTo("part/var"))
                    .hasMessageContaining("partitioned variable saved as 2 slices");
            Fixtures.assertValues("whole", ckpt.tensor("whole"), EXPECTED.get("sliced").get("whole").get("values"));
        }
    }

    // ------------------------------------------------------------------ damaged bundles

    private Path basicCopy() throws IOException {
        return Fixtures.copyFolder("tf/basic", Files.createTempDirectory(temp, "basic"));
    }

    private static void flipByte(Path file, long offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) offset] ^= 0x01;
        Files.write(file, b);
    }

    /** Where a tensor's bytes lie in its shard, from the index. */
    private static long dataOffset(Checkpoint ckpt, String name) throws IOException {
        Tensor t = ckpt.tensor(name);
        return t.byteOffset();
    }

    @Test
    void aFlippedDataByteIsACrcMismatchNamingFileAndTensor() throws IOException {
        Path folder = basicCopy();
        long offset;
        try (Checkpoint ckpt = Checkpoints.open(folder)) {
            offset = dataOffset(ckpt, "float/matrix");
        }
        Path data = folder.resolve("model.ckpt.data-00000-of-00001");
        flipByte(data, offset + 5);
        try (Checkpoint ckpt = Checkpoints.open(folder)) {
            assertThatThrownBy(() -> ckpt.tensor("float/matrix"))
                    .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> {
                        assertThat(e.file()).isEqualTo(data);
                        assertThat(e.tensor()).isEqualTo("float/matrix");
                    })
                    .hasMessageContaining("CRC32C mismatch");
            // asking again checks again: a corrupt tensor is never handed out
            assertThatThrownBy(() -> ckpt.tensor("float/matrix")).isInstanceOf(CorruptCheckpointException.class);
            Fixtures.assertValues("double/vector", ckpt.tensor("double/vector"),
                    EXPECTED.get("basic").get("double/vector").get("values"));
        }
        try (Checkpoint unchecked = Checkpoints.open(folder, CheckpointOptions.defaults().withVerifyChecksums(false))) {
            float corrupted = unchecked.tensor("float/matrix").getFloat(0, 1);
            assertThat(corrupted).isNotEqualTo(-2.25f); // the flipped byte, handed out because checks are off
        }
    }

    @Test
    void aFlippedStringByteIsACrcMismatchAtOpen() throws IOException {
        Path folder = basicCopy();
        Path data = folder.resolve("model.ckpt.data-00000-of-00001");
        byte[] bytes = Files.readAllBytes(data);
        int at = indexOf(bytes, "gpt-2".getBytes(StandardCharsets.UTF_8));
        flipByte(data, at);
        assertThatThrownBy(() -> Checkpoints.open(folder))
                .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> assertThat(e.tensor()).isEqualTo("string/scalar"))
                .hasMessageContaining("CRC32C mismatch");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void aFlippedIndexByteIsABlockCrcMismatch() throws IOException {
        Path folder = basicCopy();
        Path index = folder.resolve("model.ckpt.index");
        flipByte(index, indexOf(Files.readAllBytes(index), "float/matrix".getBytes(StandardCharsets.UTF_8)) + 2);
        assertThatThrownBy(() -> Checkpoints.open(index))
                .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> assertThat(e.file()).isEqualTo(index))
                .hasMessageContaining("data block 0")
                .hasMessageContaining("block CRC32C mismatch");
    }

    @Test
    void truncatedOrForeignIndexFiles() throws IOException {
        Path folder = basicCopy();
        Path index = folder.resolve("model.ckpt.index");
        byte[] real = Files.readAllBytes(index);
        Files.write(index, java.util.Arrays.copyOf(real, 40));
        assertThatThrownBy(() -> TfBundleReader.open(index, CheckpointOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("40 bytes is too short");
        Files.write(index, java.util.Arrays.copyOf(real, real.length - 1));
        assertThatThrownBy(() -> TfBundleReader.open(index, CheckpointOptions.defaults()))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("bad table magic");
        // format detection does not take it for a bundle either
        assertThatThrownBy(() -> Checkpoints.open(index)).isInstanceOf(UnsupportedCheckpointException.class);
        // the tail kept, the front cut: the block handles now point outside the file
        Files.write(index, java.util.Arrays.copyOfRange(real, real.length - 60, real.length));
        assertThatThrownBy(() -> Checkpoints.open(index))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("outside");
    }

    @Test
    void aMissingOrTruncatedShard() throws IOException {
        Path folder = Fixtures.copyFolder("tf/sharded", Files.createTempDirectory(temp, "sharded"));
        Path second = folder.resolve("model.ckpt.data-00001-of-00002");
        byte[] bytes = Files.readAllBytes(second);
        Files.write(second, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        assertThatThrownBy(() -> Checkpoints.open(folder.resolve("model.ckpt")))
                .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> assertThat(e.file()).isEqualTo(second))
                .hasMessageContaining("outside the " + (bytes.length - 4) + "-byte data shard");
        Files.delete(second);
        assertThatThrownBy(() -> Checkpoints.open(folder.resolve("model.ckpt")))
                .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> assertThat(e.file()).isEqualTo(second))
                .hasMessageContaining("data shard 1 of 2")
                .hasMessageContaining("is missing");
    }

    /** Re-emits the basic bundle's index with {@code change} applied to one entry's value. */
    private Path rewrittenIndex(String key, UnaryOperator<byte[]> change, boolean snappy) throws IOException {
        Path folder = basicCopy();
        Path index = folder.resolve("model.ckpt.index");
        List<LevelDbTable.Entry> entries;
        try (MappedFile f = MappedFile.open(index)) {
            entries = new ArrayList<>(LevelDbTable.readAll(index, f.segment()));
        }
        for (int i = 0; i < entries.size(); i++) {
            if (new String(entries.get(i).key(), StandardCharsets.UTF_8).equals(key)) {
                entries.set(i, new LevelDbTable.Entry(entries.get(i).key(), change.apply(entries.get(i).value())));
            }
        }
        Files.write(index, TestTables.table(entries, snappy));
        return index;
    }

    private static UnaryOperator<byte[]> field(int field, long value) {
        return v -> {
            try {
                return TestTables.withField(v, field, value);
            } catch (ProtoReader.Malformed e) {
                throw new AssertionError(e);
            }
        };
    }

    @Test
    void snappyCompressedIndexBlocksReadTheSame() throws IOException {
        Path index = rewrittenIndex("", v -> v, true);
        try (Checkpoint ckpt = Checkpoints.open(index)) {
            assertMatchesTensorFlow(ckpt, EXPECTED.get("basic"));
        }
    }

    @Test
    void entriesThatLieOrUseUnknownDtypes() throws IOException {
        Path pastEnd = rewrittenIndex("float/matrix", field(4, 1L << 40), false);
        assertThatThrownBy(() -> Checkpoints.open(pastEnd))
                .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> assertThat(e.tensor()).isEqualTo("float/matrix"))
                .hasMessageContaining("lie outside");
        Path wrongSize = rewrittenIndex("float/matrix", field(5, 20), false);
        assertThatThrownBy(() -> Checkpoints.open(wrongSize)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("entry size 20 bytes does not match DT_FLOAT[2, 3] (24 bytes)");
        Path complex = rewrittenIndex("double/vector", field(1, 8), false);
        assertThatThrownBy(() -> Checkpoints.open(complex))
                .isInstanceOfSatisfying(UnsupportedCheckpointException.class, e -> assertThat(e.tensor()).isEqualTo("double/vector"))
                .hasMessageContaining("DT_COMPLEX64");
        Path badShard = rewrittenIndex("int8/vector", field(3, 7), false);
        assertThatThrownBy(() -> Checkpoints.open(badShard)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("shard id 7 outside the bundle's 1 shards");
        Path bigEndian = rewrittenIndex("", field(2, 1), false);
        assertThatThrownBy(() -> Checkpoints.open(bigEndian)).isInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining("big-endian");
        Path absurdShards = rewrittenIndex("", field(1, 1L << 40), false);
        assertThatThrownBy(() -> Checkpoints.open(absurdShards)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("claims 1099511627776 shards");
        Path garbage = rewrittenIndex("bool/matrix", v -> new byte[] {(byte) 0x0a, (byte) 0xff}, false);
        assertThatThrownBy(() -> Checkpoints.open(garbage))
                .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> assertThat(e.tensor()).isEqualTo("bool/matrix"))
                .hasMessageContaining("does not decode");
    }
}
