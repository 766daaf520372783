package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The safetensors reader against files written by Hugging Face's safetensors library (see
 * safetensors/README.md: until the lead regenerates them they are the script's spec-following
 * interim files) and their expected values, and against damaged files.
 */
class SafetensorsReaderTest {
    private static final JsonNode EXPECTED = Fixtures.json("safetensors/expected.json");

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"dtypes.safetensors", "numpy.safetensors", "metadata.safetensors"})
    void readsEveryTensorWithTheValuesTheWriterSaved(String file) throws IOException {
        JsonNode expected = EXPECTED.get("files").get(file);
        Path path = Fixtures.resource("safetensors/" + file);
        assertThat(Checkpoints.detect(path)).isEqualTo(CheckpointFormat.SAFETENSORS);
        try (Checkpoint ckpt = Checkpoints.open(path)) {
            assertThat(ckpt.format()).isEqualTo(CheckpointFormat.SAFETENSORS);
            assertThat(ckpt.path()).isEqualTo(path);
            List<String> expectedNames = new ArrayList<>();
            expected.get("tensors").fieldNames().forEachRemaining(expectedNames::add);
            assertThat(ckpt.tensorNames()).containsExactlyInAnyOrderElementsOf(expectedNames);
            for (String name : expectedNames) {
                JsonNode e = expected.get("tensors").get(name);
                TensorInfo info = ckpt.info(name);
                assertThat(info.dtype()).as(name).isEqualTo(DType.valueOf(e.get("dtype").asText()));
                assertThat(info.shape()).as(name).isEqualTo(Shape.of(Fixtures.shape(e.get("shape"))));
                Tensor t = ckpt.tensor(name);
                assertThat(t.dtype()).isEqualTo(info.dtype());
                assertThat(t.shape()).isEqualTo(info.shape());
                Fixtures.assertValues(file + " " + name, t, e.get("values"));
            }
        }
    }

    @Test
    void coversEveryDtypeOfTheFormat() throws IOException {
        List<DType> seen = new ArrayList<>();
        for (String file : List.of("dtypes.safetensors", "numpy.safetensors")) {
            try (Checkpoint ckpt = SafetensorsReader.open(Fixtures.resource("safetensors/" + file))) {
                ckpt.tensorNames().forEach(n -> seen.add(ckpt.info(n).dtype()));
            }
        }
        assertThat(seen).containsAll(List.of(DType.values()));
    }

    @Test
    void namesFollowTheHeaderOrderAndTensorsViewTheMappedFileInPlace() throws IOException {
        Path path = Fixtures.resource("safetensors/dtypes.safetensors");
        byte[] bytes = Files.readAllBytes(path);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        List<String> headerOrder = new ArrayList<>();
        header.fieldNames().forEachRemaining(headerOrder::add);
        headerOrder.remove("__metadata__");
        try (Checkpoint ckpt = SafetensorsReader.open(path)) {
            assertThat(ckpt.tensorNames()).containsExactlyElementsOf(headerOrder);
            for (String name : headerOrder) {
                Tensor t = ckpt.tensor(name);
                assertThat(t.segment().isMapped()).as(name + " is a view of the mapped file").isTrue();
                assertThat(t.byteOffset()).isEqualTo(8 + n + header.get(name).get("data_offsets").get(0).longValue());
                assertThat(t.isContiguous()).isTrue();
            }
        }
    }

    @Test
    void metadataScalarsAndEmptyTensors() throws IOException {
        JsonNode expected = EXPECTED.get("files").get("metadata.safetensors");
        try (Checkpoint ckpt = SafetensorsReader.open(Fixtures.resource("safetensors/metadata.safetensors"))) {
            Map<String, String> meta = ckpt.stringMetadata();
            assertThat(meta).containsExactlyInAnyOrderEntriesOf(
                    new ObjectMapper().convertValue(expected.get("metadata"), Map.class));
            assertThat(meta.get("note")).isEqualTo("h\u00e9llo \u2603");
            Map<?, ?> content = (Map<?, ?>) ckpt.content();
            assertThat(content.get("__metadata__")).isEqualTo(meta);
            assertThat(content.get("scalar")).isEqualTo(new TensorRef("scalar"));
            Tensor scalar = ckpt.tensor("scalar");
            assertThat(scalar.rank()).isZero();
            assertThat(scalar.getFloat()).isEqualTo(2.5f);
            assertThat(ckpt.tensor("empty").shape()).isEqualTo(Shape.of(0, 3));
            assertThat(ckpt.tensor("empty_i64").numel()).isZero();
            assertThat(ckpt.contains("weight")).isTrue();
            assertThat(ckpt.contains("nope")).isFalse();
            assertThatThrownBy(() -> ckpt.info("nope")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        }
    }

    @Test
    void closedCheckpointRefusesAccess() throws IOException {
        Checkpoint ckpt = SafetensorsReader.open(Fixtures.resource("safetensors/metadata.safetensors"));
        Tensor weight = ckpt.tensor("weight");
        ckpt.close();
        ckpt.close(); // idempotent
        assertThatThrownBy(() -> weight.getFloat(0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ckpt.tensor("weight")).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------ bad input

    /** A file with {@code header} (padded to 8 bytes) and {@code dataBytes} zero bytes of data. */
    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        Path p = Files.createTempFile(temp, "bad", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private void assertCorrupt(Path file, String tensor, String... messageParts) {
        assertThatThrownBy(() -> SafetensorsReader.open(file))
                .isInstanceOfSatisfying(CorruptCheckpointException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.tensor()).isEqualTo(tensor);
                })
                .hasMessageContaining(file.toString())
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void truncatedFiles() throws IOException {
        Path tiny = Files.write(temp.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertCorrupt(tiny, null, "3 bytes", "truncated");
        byte[] real = Files.readAllBytes(Fixtures.resource("safetensors/dtypes.safetensors"));
        Path cutInHeader = Files.write(temp.resolve("cut1.safetensors"), java.util.Arrays.copyOf(real, 100));
        assertCorrupt(cutInHeader, null, "runs past the end");
        Path cutInData = Files.write(temp.resolve("cut2.safetensors"), java.util.Arrays.copyOf(real, real.length - 3));
        assertThatThrownBy(() -> SafetensorsReader.open(cutInData)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("data area");
    }

    @Test
    void headerLengthOfTwoToTheSixtyIsRefusedWithoutAllocating() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60);
        b.put("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        Path p = Files.write(temp.resolve("huge.safetensors"), b.array());
        assertCorrupt(p, null, "header length " + (1L << 60), "runs past the end of the 64-byte file");
        Path negative = Files.write(temp.resolve("neg.safetensors"),
                ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertCorrupt(negative, null, "header length 18446744073709551615");
    }

    @Test
    void badJson() throws IOException {
        assertCorrupt(file("{\"a\": {\"dtype\": ", 0), null, "not valid JSON");
        assertCorrupt(file("[1, 2]", 0), null, "not a JSON object");
        assertCorrupt(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}", 8),
                null, "Duplicate field 'a'");
        assertCorrupt(file("{\"a\": 5}", 0), "a", "entry must be an object");
        assertCorrupt(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4), "a", "data_offsets");
        assertCorrupt(file("{\"__metadata__\": {\"k\": 1}}", 0), "__metadata__", "value of 'k' must be a string");
        assertCorrupt(file("{" + entry("a", "F32", "[-1]", 0, 4) + "}", 4), "a", "shape must hold non-negative integers");
        assertCorrupt(file("{" + entry("a", "F32", "[1.5]", 0, 4) + "}", 4), "a", "shape must hold non-negative integers");
        byte[] notUtf8 = {'{', '"', (byte) 0xff, '"', ':', '1', '}', ' '};
        Path p = temp.resolve("utf.safetensors");
        Files.write(p, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put(notUtf8).array());
        assertCorrupt(p, null, "not valid UTF-8");
    }

    @Test
    void unknownDtypeIsRefusedByName() throws IOException {
        Path p = file("{" + entry("w", "F4", "[2]", 0, 1) + "}", 1);
        assertThatThrownBy(() -> SafetensorsReader.open(p))
                .isInstanceOfSatisfying(UnsupportedCheckpointException.class, e -> assertThat(e.tensor()).isEqualTo("w"))
                .hasMessageContaining("dtype \"F4\"");
    }

    @Test
    void offsetsOutsideTheDataOrInconsistentWithTheShape() throws IOException {
        assertCorrupt(file("{" + entry("a", "F32", "[2]", 0, 8) + "}", 4), "a", "[0, 8]", "4-byte data area");
        assertCorrupt(file("{" + entry("a", "F32", "[1]", 4, 0) + "}", 4), "a", "[4, 0]");
        assertCorrupt(file("{" + entry("a", "F32", "[3]", 0, 8) + "}", 8), "a", "needs 12 bytes", "hold 8");
        assertCorrupt(file("{" + entry("a", "F64", "[4611686018427387904, 4]", 0, 8) + "}", 8), "a",
                "more bytes than a long holds");
        assertCorrupt(file("{" + entry("a", "F32", "[1]", 0, 4) + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[0, 18446744073709551615]}}", 4), "b", "non-negative integers");
    }

    @Test
    void overlappingHoleyAndTrailingRangesAreRefused() throws IOException {
        assertCorrupt(file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", 12),
                "b", "overlap 'a'");
        assertCorrupt(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", 12),
                "b", "hole of 4 bytes after 'a'");
        assertCorrupt(file("{" + entry("a", "F32", "[1]", 4, 8) + "}", 8), "a", "hole of 4 bytes after the header");
        assertCorrupt(file("{" + entry("a", "F32", "[1]", 0, 4) + "}", 12), "a", "end at data byte 4", "holds 12");
        // the same range twice is an overlap too
        assertCorrupt(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 0, 4) + "}", 4),
                "b", "overlap");
    }

    @Test
    void emptyHeaderAndZeroSizedTensorsAreValid() throws IOException {
        try (Checkpoint ckpt = SafetensorsReader.open(file("{}", 0))) {
            assertThat(ckpt.tensorNames()).isEmpty();
            assertThat(ckpt.stringMetadata()).isEmpty();
        }
        try (Checkpoint ckpt = SafetensorsReader.open(file("{" + entry("e", "F16", "[0, 5]", 0, 0) + ","
                + entry("x", "I8", "[]", 0, 1) + "}", 1))) {
            assertThat(ckpt.tensorNames()).containsExactly("e", "x");
            assertThat(ckpt.tensor("x").getLong()).isZero();
        }
    }
}
