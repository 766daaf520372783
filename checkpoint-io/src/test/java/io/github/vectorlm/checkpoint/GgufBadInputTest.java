package io.github.vectorlm.checkpoint;

import static io.github.vectorlm.checkpoint.GgufBytes.F32;
import static io.github.vectorlm.checkpoint.GgufBytes.Q8_0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.QuantizedTensor;
import io.github.vectorlm.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GGUF files built byte by byte ({@link GgufBytes}): a well-formed one the reader must read, and
 * every kind of lie a header can tell, each refused before anything is allocated or mapped as a
 * tensor, with a message naming the file and the key or tensor.
 */
class GgufBadInputTest {
    @TempDir
    Path temp;

    private int files;

    private Path write(GgufBytes bytes) throws IOException {
        return Files.write(temp.resolve("f" + files++ + ".gguf"), bytes.bytes());
    }

    private void assertRefused(Class<? extends CheckpointException> kind, GgufBytes bytes, String tensor, String... parts)
            throws IOException {
        Path file = write(bytes);
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isInstanceOfSatisfying(kind, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.tensor()).isEqualTo(tensor);
                })
                .hasMessageContaining(file.toString())
                .hasMessageContainingAll(parts);
    }

    private void assertCorrupt(GgufBytes bytes, String tensor, String... parts) throws IOException {
        assertRefused(CorruptCheckpointException.class, bytes, tensor, parts);
    }

    private void assertUnsupported(GgufBytes bytes, String tensor, String... parts) throws IOException {
        assertRefused(UnsupportedCheckpointException.class, bytes, tensor, parts);
    }

    /** A file of one F32 tensor "t" of {@code ne} at offset 0 with {@code dataBytes} bytes of data. */
    private static GgufBytes oneTensor(long[] ne, int type, long offset, int dataBytes) {
        return GgufBytes.header(1, 0).tensor("t", ne, type, offset).pad(32).fill(dataBytes, 0);
    }

    @Test
    void aHandBuiltFileReadsAsWritten() throws IOException {
        GgufBytes b = GgufBytes.header(2, 6)
                .kvU32("general.alignment", 16)
                .kvString("general.name", "tiny \uFFFD")
                .key("empty", GgufValueType.ARRAY).u32(GgufValueType.UINT8.id()).u64(0)
                .key("empty_nested", GgufValueType.ARRAY).u32(GgufValueType.ARRAY.id()).u64(2)
                .u32(GgufValueType.STRING.id()).u64(0).u32(GgufValueType.INT16.id()).u64(1).raw(new byte[] {-2, -1})
                .key("bool_two", GgufValueType.BOOL).u8(2)
                .key("bools", GgufValueType.ARRAY).u32(GgufValueType.BOOL.id()).u64(3).u8(0).u8(1).u8(7)
                .tensor("a", new long[] {3}, F32, 0)
                .tensor("b", new long[] {32, 2}, Q8_0, 16)
                .pad(16)
                .floats(1, 2, 3).fill(4, 0);
        for (int block = 0; block < 2; block++) {
            b.raw(new byte[] {0, 0x3c}); // f16 1.0
            for (int j = 0; j < 32; j++) {
                b.u8(block == 0 ? j : -j & 0xff);
            }
        }
        Path file = write(b);
        try (GgufCheckpoint gguf = (GgufCheckpoint) Checkpoints.open(file)) {
            assertThat(gguf.alignment()).isEqualTo(16);
            assertThat(gguf.metadata()).containsEntry("general.name", "tiny \uFFFD").containsEntry("empty", List.of())
                    .containsEntry("empty_nested", List.of(List.of(), List.of(-2L))).containsEntry("bool_two", true)
                    .containsEntry("bools", List.of(false, true, true));
            assertThat(gguf.arrayElementType("empty_nested")).isEqualTo(GgufValueType.ARRAY);
            assertThat(gguf.tensorNames()).containsExactly("a", "b");
            assertThat(gguf.tensor("a").toFloatArray()).containsExactly(1, 2, 3);
            QuantizedTensor q = gguf.quantized("b");
            assertThat(q.type()).isEqualTo(BlockType.Q8_0);
            assertThat(q.shape()).isEqualTo(Shape.of(2, 32));
            assertThat(q.byteOffset()).isEqualTo(gguf.dataOffset() + 16);
            float[] values = gguf.tensor("b").toFloatArray();
            assertThat(values[31]).isEqualTo(31f);
            assertThat(values[63]).isEqualTo(-31f);
        }
    }

    @Test
    void truncatedOrForeignHeaders() throws IOException {
        Path tiny = Files.write(temp.resolve("tiny.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 0});
        assertThatThrownBy(() -> Checkpoints.open(tiny)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("file of 9 bytes is too short for a GGUF header");
        Path foreign = Files.write(temp.resolve("foreign.gguf"), new byte[32]);
        assertThatThrownBy(() -> GgufReader.open(foreign)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("does not start with the GGUF magic");
    }

    @Test
    void versionsOtherThanTwoAndThreeAndBigEndianFilesAreUnsupported() throws IOException {
        assertUnsupported(GgufBytes.header(1, 0, 0), null, "GGUF version 1 is no longer supported");
        assertUnsupported(GgufBytes.header(4, 0, 0), null, "GGUF version 4 is unknown", "versions 2 and 3");
        assertUnsupported(GgufBytes.header(0x03000000, 0, 0), null, "big-endian GGUF file (version 3)");
        try (Checkpoint v2 = Checkpoints.open(write(GgufBytes.header(2, 0, 0)))) {
            assertThat(v2.tensorNames()).isEmpty();
        }
    }

    @Test
    void countsLargerThanTheFileAreRefusedBeforeAllocating() throws IOException {
        assertCorrupt(GgufBytes.header(-1, 0), null, "tensor count is 18446744073709551615, more than a long holds");
        assertCorrupt(GgufBytes.header(0, 1L << 40), null, "header says 1099511627776 metadata key/value pairs",
                "0 bytes left hold at most 0");
        assertCorrupt(GgufBytes.header(1L << 40, 0).fill(48, 0), null, "header says 1099511627776 tensors",
                "48 bytes left hold at most 2 tensor infos");
    }

    @Test
    void stringsMustFitTheFileAndBeUtf8() throws IOException {
        assertCorrupt(GgufBytes.header(0, 1).u64(1000).raw("abcdefghijklm".getBytes()), null,
                "metadata key 0 is a string of 1000 bytes at byte 32 but the file ends at 45");
        assertCorrupt(GgufBytes.header(0, 1).u64(1L << 63).fill(5, 0), null,
                "metadata key 0 length is 9223372036854775808, more than a long holds");
        assertCorrupt(GgufBytes.header(0, 1).u64(2).raw(new byte[] {(byte) 0xff, (byte) 0xfe}).u32(0).u8(1).fill(8, 0),
                null, "metadata key 0 is not valid UTF-8");
        assertCorrupt(GgufBytes.header(0, 1).key("s", GgufValueType.STRING).u64(2).raw(new byte[] {(byte) 0xc3, 'x'}),
                null, "metadata key 's' is not valid UTF-8");
        assertCorrupt(GgufBytes.header(1, 0).u64(1).raw(new byte[] {(byte) 0x80}).fill(30, 0), null,
                "name of tensor 0 is not valid UTF-8");
    }

    @Test
    void keysAndValueTypesAreChecked() throws IOException {
        assertCorrupt(GgufBytes.header(0, 2).kvU32("a", 1).kvU32("a", 2), null, "metadata key 'a' appears twice");
        assertCorrupt(GgufBytes.header(0, 1).str("a").u32(13).fill(8, 0), null,
                "metadata key 'a' has GGUF value type 13, which does not exist");
        assertCorrupt(GgufBytes.header(0, 1).key("a", GgufValueType.UINT64).u32(7).fill(1, 0), null,
                "metadata key 'a' UINT64 value at byte", "needs 8 bytes but the file ends");
        assertCorrupt(GgufBytes.header(0, 1).key("a", GgufValueType.ARRAY).u32(99).u64(0).fill(4, 0), null,
                "metadata key 'a' has GGUF value type 99");
    }

    @Test
    void arraysMustFitTheFileAndNestAtMostEightDeep() throws IOException {
        assertCorrupt(GgufBytes.header(0, 1).key("a", GgufValueType.ARRAY).u32(GgufValueType.UINT32.id()).u64(1000).fill(8, 0),
                null, "metadata key 'a' is an array of 1000 UINT32 values, but the 8 bytes left in the file hold at most 2");
        assertCorrupt(GgufBytes.header(0, 1).key("a", GgufValueType.ARRAY).u32(GgufValueType.STRING.id()).u64(1L << 59)
                .fill(80, 0), null, "is an array of 576460752303423488 STRING values", "hold at most 10");
        assertCorrupt(GgufBytes.header(0, 1).key("a", GgufValueType.ARRAY).u32(GgufValueType.ARRAY.id()).u64(-1L),
                null, "metadata key 'a' array length is 18446744073709551615");
        assertUnsupported(nested(8), null,
                "metadata key 'deep' nests arrays deeper than 8 (MAX_GGUF_ARRAY_NESTING) levels at byte 136");
        try (GgufCheckpoint ok = GgufReader.open(write(nested(7)))) {
            Object v = ok.metadata().get("deep");
            for (int depth = 0; depth < 8; depth++) {
                assertThat(v).isInstanceOf(List.class);
                v = ((List<?>) v).get(0);
            }
            assertThat(v).isEqualTo(5L);
        }
    }

    /** Writes {@code bytes}, then zeros (a sparse hole) up to {@code extra} more bytes. */
    private Path writeExtended(GgufBytes bytes, long extra) throws IOException {
        Path file = write(bytes);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(bytes.size() + extra);
        }
        return file;
    }

    private static void assertLimit(Path file, Class<? extends CheckpointException> kind, String tensor, String... parts) {
        assertThatThrownBy(() -> Checkpoints.open(file))
                .isInstanceOfSatisfying(kind, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.tensor()).isEqualTo(tensor);
                })
                .hasMessageContaining(file.toString())
                .hasMessageContainingAll(parts);
    }

    @Test
    void moreTensorsThanMaxTensorsAreRefusedBeforeTheirInfosAreRead() throws IOException {
        long limit = ReaderLimits.MAX_TENSORS;
        // room for every info (zeros: 24 bytes each), so only the limit refuses
        assertLimit(writeExtended(GgufBytes.header(limit + 1, 0), (limit + 1) * 24), UnsupportedCheckpointException.class,
                null, "header (byte 8) says 1048577 tensors, more than 1048576 (MAX_TENSORS)");
        // at the limit the count passes, and the zero infos fail on their own (all named "")
        assertLimit(writeExtended(GgufBytes.header(limit, 0), limit * 24), CorruptCheckpointException.class,
                "", "appears twice among the tensor infos");
    }

    @Test
    void keysAndTensorNamesLongerThanMaxNameCharsAreRefused() throws IOException {
        int limit = ReaderLimits.MAX_NAME_CHARS;
        String longest = "k".repeat(limit);
        try (GgufCheckpoint ok = GgufReader.open(write(GgufBytes.header(1, 1).kvU32(longest, 7)
                .tensor("t".repeat(limit), new long[] {1}, F32, 0).pad(32).fill(4, 0)))) {
            assertThat(ok.metadata()).containsEntry(longest, 7L);
            assertThat(ok.tensorNames()).containsExactly("t".repeat(limit));
        }
        assertUnsupported(GgufBytes.header(0, 1).kvU32(longest + "k", 7), null,
                "metadata key 0 at byte 24 is a name of 65537 characters, longer than 65536 (MAX_NAME_CHARS) characters");
        assertUnsupported(GgufBytes.header(1, 1).kvU32("a", 7).tensor("t".repeat(limit + 1), new long[] {1}, F32, 0)
                .pad(32).fill(4, 0), null, "name of tensor 0 at byte 41 is a name of 65537 characters", "(MAX_NAME_CHARS)");
        // multi-byte characters count once each: 65,536 'é' (2 bytes) are a name at the limit
        try (GgufCheckpoint ok = GgufReader.open(write(GgufBytes.header(0, 1).kvU32("\u00e9".repeat(limit), 1)))) {
            assertThat(ok.metadata()).containsKey("\u00e9".repeat(limit));
        }
        // a length no name within the limit can have is refused before its bytes are copied
        assertLimit(writeExtended(GgufBytes.header(0, 1).u64(3L * limit + 1), 3L * limit + 13),
                UnsupportedCheckpointException.class, null,
                "metadata key 0 at byte 24 is a name of 196609 bytes, longer than 65536 (MAX_NAME_CHARS) characters");
        // ... unless the file cannot hold it: then it is truncated, as any string
        assertCorrupt(GgufBytes.header(0, 1).u64(1L << 40).fill(16, 0), null,
                "metadata key 0 is a string of 1099511627776 bytes at byte 32 but the file ends at 48");
    }

    @Test
    void moreMetadataValuesThanMaxContentValuesAreRefusedBeforeAllocating() throws IOException {
        long limit = ReaderLimits.MAX_CONTENT_VALUES;
        // one key and an array of the limit's elements: one value too many, refused at the array's length
        assertLimit(writeExtended(GgufBytes.header(0, 1).key("big", GgufValueType.ARRAY).u32(GgufValueType.UINT8.id())
                .u64(limit), limit), UnsupportedCheckpointException.class, null,
                "metadata key 'big' is an array of 16777216 values (length at byte 43)",
                "more than 16777216 (MAX_CONTENT_VALUES) values");
        // one fewer element reads
        try (GgufCheckpoint ok = GgufReader.open(writeExtended(GgufBytes.header(0, 1).key("big", GgufValueType.ARRAY)
                .u32(GgufValueType.UINT8.id()).u64(limit - 1), limit - 1))) {
            assertThat((List<?>) ok.metadata().get("big")).hasSize((int) limit - 1);
        }
        // elements of nested arrays and of later keys count too
        GgufBytes nestedTooMany = GgufBytes.header(0, 2).key("a", GgufValueType.ARRAY).u32(GgufValueType.ARRAY.id()).u64(2);
        nestedTooMany.u32(GgufValueType.BOOL.id()).u64(limit / 2).fill((int) (limit / 2), 0);
        nestedTooMany.u32(GgufValueType.BOOL.id()).u64(limit / 2 - 5).fill((int) (limit / 2 - 5), 0);
        nestedTooMany.key("b", GgufValueType.ARRAY).u32(GgufValueType.INT8.id()).u64(2).u8(1).u8(2);
        assertUnsupported(nestedTooMany, null, "metadata key 'b' is an array of 2 values",
                "more than 16777216 (MAX_CONTENT_VALUES) values");
        // so does each key: a header promising more keys than the limit is refused at once
        assertLimit(writeExtended(GgufBytes.header(0, limit + 1), 13 * (limit + 1)), UnsupportedCheckpointException.class,
                null, "header (byte 16) says 16777217 metadata key/value pairs, more than 16777216 (MAX_CONTENT_VALUES) values");
    }

    /** An array whose elements are arrays {@code inner} times over, holding one UINT8 5. */
    private static GgufBytes nested(int inner) {
        GgufBytes b = GgufBytes.header(0, 1).key("deep", GgufValueType.ARRAY);
        for (int i = 0; i < inner; i++) {
            b.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        return b.u32(GgufValueType.UINT8.id()).u64(1).u8(5);
    }

    @Test
    void alignmentMustBeAUint32PowerOfTwo() throws IOException {
        assertCorrupt(GgufBytes.header(0, 1).key("general.alignment", GgufValueType.INT32).u32(32), null,
                "'general.alignment' must be a UINT32, found INT32");
        assertCorrupt(GgufBytes.header(0, 1).kvU32("general.alignment", 48), null, "is 48, not a power of two");
        assertCorrupt(GgufBytes.header(0, 1).kvU32("general.alignment", 0), null, "is 0, not a power of two");
    }

    @Test
    void tensorInfosAreChecked() throws IOException {
        assertUnsupported(oneTensor(new long[] {1, 1, 1, 1, 1}, F32, 0, 4), "t", "has 5 dimensions; ggml allows at most 4");
        assertCorrupt(oneTensor(new long[] {-1}, F32, 0, 4), "t", "dimension 0 is 18446744073709551615, more than a long holds");
        assertCorrupt(oneTensor(new long[] {1L << 32, 1L << 32}, F32, 0, 4), "t", "has more elements than a long holds");
        assertCorrupt(oneTensor(new long[] {1L << 62}, F32, 0, 4), "t", "F32 [4611686018427387904] has more bytes than a long holds");
        // 2^58 - 1 blocks of 34 bytes: the values fit a long, their bytes do not
        assertCorrupt(oneTensor(new long[] {Long.MAX_VALUE - 31}, Q8_0, 0, 4), "t", "Q8_0 [9223372036854775776] has more bytes");
        assertUnsupported(oneTensor(new long[] {32}, 4, 0, 18), "t", "has ggml type 4, which this library does not know");
        assertUnsupported(oneTensor(new long[] {32}, 1000, 0, 18), "t", "has ggml type 1000");
        assertCorrupt(oneTensor(new long[] {48, 2}, Q8_0, 0, 102), "t", "is Q8_0 but its rows (ne[0]) of 48 values",
                "not a whole number of blocks of 32");
        assertCorrupt(oneTensor(new long[] {}, Q8_0, 0, 34), "t", "rows (ne[0]) of 1 values");
        assertCorrupt(GgufBytes.header(2, 0).tensor("t", new long[] {1}, F32, 0).tensor("t", new long[] {1}, F32, 32)
                .pad(32).fill(64, 0), "t", "appears twice among the tensor infos");
        assertCorrupt(GgufBytes.header(1, 0).str("t").u32(2).fill(12, 0), "t", "dimension 1 at byte", "needs 8 bytes",
                "it is truncated");
    }

    @Test
    void dataMustFollowGgmlsLayoutInsideTheFile() throws IOException {
        assertCorrupt(oneTensor(new long[] {3}, F32, 32, 64), "t", "data offset is 32 but ggml's layout puts it at 0");
        assertCorrupt(GgufBytes.header(2, 0).tensor("a", new long[] {3}, F32, 0).tensor("b", new long[] {3}, F32, 12)
                .pad(32).fill(64, 0), "b", "data offset is 12 but ggml's layout puts it at 32",
                "each padded to the alignment of 32");
        assertCorrupt(GgufBytes.header(2, 0).tensor("a", new long[] {3}, F32, 0).tensor("b", new long[] {3}, F32, 0)
                .pad(32).fill(64, 0), "b", "data offset is 0 but ggml's layout puts it at 32");
        assertCorrupt(oneTensor(new long[] {3}, F32, -1, 12), "t", "data offset is 18446744073709551615");
        GgufBytes shortData = oneTensor(new long[] {1000}, F32, 0, 16);
        assertCorrupt(shortData, "t", "data [", "of F32 [1000] run past the end of the " + shortData.size() + "-byte file");
        assertCorrupt(oneTensor(new long[] {32, 3}, Q8_0, 0, 101), "t", "of Q8_0 [3, 32] run past the end");
        // exactly enough bytes, no trailing padding: accepted, as llama.cpp's loader does
        try (Checkpoint ok = Checkpoints.open(write(oneTensor(new long[] {32, 3}, Q8_0, 0, 102)))) {
            assertThat(ok.info("t").storedBytes()).isEqualTo(102);
        }
    }

    @Test
    void plainCheckpointsHaveNoQuantizedTensors() throws IOException {
        try (Checkpoint st = SafetensorsReader.open(Fixtures.resource("safetensors/metadata.safetensors"))) {
            assertThatThrownBy(() -> st.quantized("weight")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'weight'").hasMessageContaining("not block-quantized");
            assertThat(st.info("weight").isBlockQuantized()).isFalse();
        }
        assertThatThrownBy(() -> new TensorInfo("x", io.github.vectorlm.tensor.DType.F16, Shape.of(32), BlockType.Q8_0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TensorInfo("x", io.github.vectorlm.tensor.DType.F32, Shape.of(33), BlockType.Q8_0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
