package io.github.vectorlm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.QuantizedTensor;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GGUF reader against files written by gguf-py (llama.cpp's own Python package) and the
 * values gguf-py's reader and dequantizers give for them (gguf/expected.json and
 * gguf/dequantized.f32, made by tools/make_gguf_fixtures.py). Metadata, offsets, shapes and values
 * must match exactly: dequantization bit for bit.
 */
class GgufReaderTest {
    private static final JsonNode EXPECTED = Fixtures.json("gguf/expected.json");

    @ParameterizedTest
    @ValueSource(strings = {"metadata_v3.gguf", "metadata_v2.gguf"})
    void readsEveryMetadataTypeAsGgufPyWroteIt(String file) throws IOException {
        JsonNode expected = EXPECTED.get("metadata_v3.gguf");
        Path path = Fixtures.resource("gguf/" + file);
        assertThat(Checkpoints.detect(path)).isEqualTo(CheckpointFormat.GGUF);
        try (Checkpoint opened = Checkpoints.open(path)) {
            GgufCheckpoint gguf = (GgufCheckpoint) opened;
            assertThat(gguf.format()).isEqualTo(CheckpointFormat.GGUF);
            assertThat(gguf.version()).isEqualTo(file.contains("v2") ? 2 : 3);
            assertThat(gguf.alignment()).isEqualTo(expected.get("alignment").longValue());
            List<String> keys = new ArrayList<>();
            expected.get("key_order").forEach(k -> keys.add(k.asText()));
            assertThat(gguf.metadata().keySet()).containsExactlyElementsOf(keys);
            assertThat(gguf.content()).isSameAs(gguf.metadata());
            for (String key : keys) {
                JsonNode want = expected.get("metadata").get(key);
                assertThat(gguf.metadataType(key)).as(key).isEqualTo(GgufValueType.valueOf(want.get("type").asText()));
                if (want.has("element_type")) {
                    assertThat(gguf.arrayElementType(key)).as(key)
                            .isEqualTo(GgufValueType.valueOf(want.get("element_type").asText()));
                }
                assertSameValue(key, gguf.metadata().get(key), want.get("value"));
            }
            assertThatThrownBy(() -> gguf.metadataType("nope")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> gguf.arrayElementType("test.u8")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("UINT8, not an array");
            assertThatThrownBy(() -> gguf.metadata().put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void metadataValuesHaveThePlainJavaTypesOfContent() throws IOException {
        try (GgufCheckpoint gguf = GgufReader.open(Fixtures.resource("gguf/metadata_v3.gguf"))) {
            Map<String, Object> m = gguf.metadata();
            assertThat(m.get("test.u8")).isEqualTo(255L);
            assertThat(m.get("test.u32")).isEqualTo(4294967295L);
            assertThat(m.get("test.u64")).isEqualTo(new BigInteger("18446744073709551615"));
            assertThat(m.get("test.u64_small")).isEqualTo(7L);
            assertThat(m.get("test.f32")).isEqualTo((double) 0.1f);
            assertThat((Double) m.get("test.f32_nan")).isNaN();
            assertThat(m.get("test.bool_false")).isEqualTo(false);
            assertThat(m.get("test.string_empty")).isEqualTo("");
            assertThat(m.get("gpt2.context_length")).isEqualTo(1024L);
            assertThat(m.get("tokenizer.ggml.tokens")).isEqualTo(List.of("!", "\"", "\u0120the", "<|endoftext|>"));
            assertThat(m.get("tokenizer.ggml.token_type")).isEqualTo(List.of(1L, 1L, 1L, 3L));
            assertThat(m.get("test.array.nested_i32")).isEqualTo(List.of(List.of(1L, 2L), List.of(3L), List.of(4L, 5L, 6L)));
            assertThat(m.get("test.array.u64")).isEqualTo(List.of(0L, new BigInteger("9223372036854775808"),
                    new BigInteger("18446744073709551615")));
            assertThatThrownBy(() -> ((List<?>) m.get("test.array.u8")).get(3)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void plainTensorsAreViewsOfTheMappedFileInRowMajorShape() throws IOException {
        JsonNode expected = EXPECTED.get("metadata_v3.gguf");
        try (GgufCheckpoint gguf = GgufReader.open(Fixtures.resource("gguf/metadata_v3.gguf"))) {
            List<String> order = new ArrayList<>();
            expected.get("tensor_order").forEach(n -> order.add(n.asText()));
            assertThat(gguf.tensorNames()).containsExactlyElementsOf(order);
            assertThat(gguf.dataOffset() % 64).isZero();
            for (String name : order) {
                JsonNode want = expected.get("tensors").get(name);
                long[] shape = Fixtures.shape(want.get("shape"));
                long[] ne = Fixtures.shape(want.get("ne"));
                for (int d = 0; d < ne.length; d++) {
                    assertThat(shape[shape.length - 1 - d]).as(name + " ne[" + d + "] is the innermost first").isEqualTo(ne[d]);
                }
                GgmlType type = GgmlType.valueOf(want.get("ggml_type").asText());
                assertThat(gguf.ggmlType(name)).isEqualTo(type);
                TensorInfo info = gguf.info(name);
                assertThat(info.dtype()).as(name).isEqualTo(type.dtype());
                assertThat(info.isBlockQuantized()).isFalse();
                assertThat(info.shape()).as(name).isEqualTo(Shape.of(shape));
                assertThat(info.storedBytes()).as(name).isEqualTo(want.get("n_bytes").longValue());
                Tensor t = gguf.tensor(name);
                assertThat(t.segment().isMapped()).as(name + " is a view of the mapped file").isTrue();
                assertThat(t.byteOffset()).as(name + " lies where gguf-py's reader finds it")
                        .isEqualTo(want.get("data_offset").longValue());
                assertThat(t.byteOffset() % 64).isZero();
                Fixtures.assertValues(name, t, want.get("values"));
                assertThatThrownBy(() -> gguf.quantized(name)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("not block-quantized");
            }
            assertThat(gguf.tensor("f32.scalar").rank()).isZero();
            assertThat(gguf.tensor("f32.empty").numel()).isZero();
        }
    }

    @Test
    void quantizedTensorsDequantizeBitForBitAsGgufPyDoes() throws IOException {
        float[] reference = referenceValues();
        Set<BlockType> checked = EnumSet.noneOf(BlockType.class);
        Set<BlockType> listed = EnumSet.noneOf(BlockType.class);
        for (String file : List.of("quantized.gguf", "layout_only.gguf")) {
            checkQuantized(file, reference, checked, listed);
        }
        assertThat(checked).as("every dequantizable block type is compared with gguf-py")
                .containsExactlyInAnyOrderElementsOf(EnumSet.allOf(BlockType.class).stream()
                        .filter(BlockType::canDequantize).toList());
        assertThat(listed).as("every block type appears in the fixtures").containsExactlyInAnyOrder(BlockType.values());
    }

    private static void checkQuantized(String file, float[] reference, Set<BlockType> checked, Set<BlockType> listed)
            throws IOException {
        JsonNode expected = EXPECTED.get(file);
        try (GgufCheckpoint gguf = GgufReader.open(Fixtures.resource("gguf/" + file))) {
            List<String> order = new ArrayList<>();
            expected.get("tensor_order").forEach(n -> order.add(n.asText()));
            assertThat(gguf.tensorNames()).containsExactlyElementsOf(order);
            for (String name : order) {
                JsonNode want = expected.get("tensors").get(name);
                GgmlType type = GgmlType.valueOf(want.get("ggml_type").asText());
                Shape shape = Shape.of(Fixtures.shape(want.get("shape")));
                TensorInfo info = gguf.info(name);
                assertThat(info.shape()).as(name).isEqualTo(shape);
                assertThat(info.typeName()).as(name).isEqualTo(type.name());
                assertThat(info.storedBytes()).as(name).isEqualTo(want.get("n_bytes").longValue());
                assertThat(info.dataBytes()).as(name).isEqualTo(4 * shape.numel());
                if (type.blockType() != null) {
                    BlockType block = type.blockType();
                    listed.add(block);
                    assertThat(info.blockType()).isEqualTo(block);
                    assertThat(info.dtype()).isEqualTo(DType.F32);
                    QuantizedTensor q = gguf.quantized(name);
                    assertThat(q.type()).isEqualTo(block);
                    assertThat(q.shape()).isEqualTo(shape);
                    assertThat(q.segment().isMapped()).isTrue();
                    assertThat(q.byteOffset()).as(name).isEqualTo(want.get("data_offset").longValue());
                    assertThat(q.dataBytes()).as(name).isEqualTo(want.get("n_bytes").longValue());
                    if (!block.canDequantize()) {
                        assertThatThrownBy(() -> gguf.tensor(name))
                                .isInstanceOfSatisfying(UnsupportedCheckpointException.class,
                                        e -> assertThat(e.tensor()).isEqualTo(name))
                                .hasMessageContaining(block + " blocks are not dequantized");
                        continue;
                    }
                    checked.add(block);
                    float[] want32 = slice(reference, want);
                    assertBitExact(name + " (blocks in place)", q.toFloatArray(), want32);
                    float[] row = new float[(int) q.rowLength()];
                    for (long r = 0; r < q.rows(); r++) {
                        q.dequantizeRow(r, row, 0);
                        for (int i = 0; i < row.length; i++) {
                            assertThat(Float.floatToIntBits(row[i])).as(name + " row " + r + " value " + i)
                                    .isEqualTo(Float.floatToIntBits(want32[(int) (r * row.length + i)]));
                        }
                    }
                }
                Tensor t = gguf.tensor(name);
                assertThat(t.dtype()).isEqualTo(DType.F32);
                assertThat(t.shape()).isEqualTo(shape);
                assertBitExact(name + " (tensor)", t.toFloatArray(), slice(reference, want));
            }
        }
    }

    @Test
    void blockSizesAndTypeIdsAreGgmlsAsGgufPyListsThem() {
        JsonNode expected = EXPECTED.get("quantized.gguf");
        for (BlockType b : BlockType.values()) {
            JsonNode sizes = expected.get("block_sizes").get(b.name());
            assertThat(sizes).as(b + " listed by gguf-py").isNotNull();
            assertThat(b.blockSize()).as(b.name()).isEqualTo(sizes.get(0).intValue());
            assertThat(b.blockBytes()).as(b.name()).isEqualTo(sizes.get(1).intValue());
        }
        JsonNode ids = expected.get("ggml_type_ids");
        ids.fieldNames().forEachRemaining(name -> {
            GgmlType t = GgmlType.ofId(ids.get(name).intValue());
            assertThat(t).as(name + " known").isNotNull();
            assertThat(t.name()).isEqualTo(name);
        });
        assertThat(GgmlType.values()).hasSize(ids.size());
        for (GgmlType t : GgmlType.values()) {
            assertThat((t.dtype() == null) != (t.blockType() == null)).as(t.name()).isTrue();
        }
        assertThat(GgmlType.ofId(4)).isNull();
        assertThat(GgmlType.ofId(-1)).isNull();
    }

    @Test
    void bigEndianFilesAreRefusedByName() {
        Path path = Fixtures.resource("gguf/big_endian.gguf");
        assertThatThrownBy(() -> Checkpoints.open(path)).isInstanceOf(UnsupportedCheckpointException.class)
                .hasMessageContaining(path.toString()).hasMessageContaining("big-endian GGUF file (version 3)");
    }

    @Test
    void closedCheckpointRefusesAccess() throws IOException {
        GgufCheckpoint gguf = GgufReader.open(Fixtures.resource("gguf/quantized.gguf"));
        Tensor plain = gguf.tensor("F32.plain");
        QuantizedTensor q = gguf.quantized("Q8_0.random");
        Tensor dequantized = gguf.tensor("Q8_0.random");
        gguf.close();
        gguf.close();
        assertThatThrownBy(() -> plain.getFloat(0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(q::toFloatArray).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> gguf.tensor("F32.plain")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> gguf.quantized("Q8_0.random")).isInstanceOf(IllegalStateException.class);
        assertThat(dequantized.getFloat(0, 0)).as("a dequantized tensor is a copy").isFinite();
        assertThat(gguf.metadata().get("general.architecture")).isEqualTo("gpt2");
    }

    // ------------------------------------------------------------------ helpers

    private static float[] referenceValues() throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Fixtures.resource("gguf/dequantized.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[b.remaining() / 4];
        b.asFloatBuffer().get(values);
        return values;
    }

    private static float[] slice(float[] reference, JsonNode tensor) {
        int at = tensor.get("values_at").intValue();
        return java.util.Arrays.copyOfRange(reference, at, at + tensor.get("values_count").intValue());
    }

    private static void assertBitExact(String what, float[] got, float[] want) {
        assertThat(got).as(what + " count").hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want[i])) {
                throw new AssertionError(what + " value " + i + ": " + got[i] + " (0x" + Integer.toHexString(Float.floatToIntBits(got[i]))
                        + ") but gguf-py gives " + want[i] + " (0x" + Integer.toHexString(Float.floatToIntBits(want[i])) + ")");
            }
        }
    }

    /** Compares a metadata value with its JSON form: numbers exactly, floats bit for bit ("nan", "inf" as text). */
    private static void assertSameValue(String what, Object got, JsonNode want) {
        switch (got) {
            case List<?> list -> {
                assertThat(want.isArray()).as(what + " is an array").isTrue();
                assertThat(list).as(what + " length").hasSize(want.size());
                for (int i = 0; i < list.size(); i++) {
                    assertSameValue(what + "[" + i + "]", list.get(i), want.get(i));
                }
            }
            case Double d -> {
                double w = want.isTextual() ? Double.parseDouble(want.asText().replace("inf", "Infinity").replace("nan", "NaN"))
                        : want.doubleValue();
                assertThat(Double.doubleToLongBits(d)).as(what + " = " + d + " vs " + want).isEqualTo(Double.doubleToLongBits(w));
            }
            case Long l -> assertThat(BigInteger.valueOf(l)).as(what).isEqualTo(want.bigIntegerValue());
            case BigInteger b -> assertThat(b).as(what).isEqualTo(want.bigIntegerValue()).isGreaterThan(BigInteger.valueOf(Long.MAX_VALUE));
            case Boolean b -> assertThat(b).as(what).isEqualTo(want.booleanValue());
            case String s -> assertThat(s).as(what).isEqualTo(want.textValue());
            default -> throw new AssertionError(what + " has unexpected value " + got + " (" + got.getClass() + ")");
        }
    }
}
