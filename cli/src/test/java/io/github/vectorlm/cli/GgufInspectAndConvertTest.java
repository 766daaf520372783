package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * inspect and convert on checkpoint-io's GGUF fixtures, against what gguf-py wrote and computed
 * (gguf/expected.json, gguf/dequantized.f32; see tools/make_gguf_fixtures.py).
 */
class GgufInspectAndConvertTest {
    private static final Path GGUF = Cli.CHECKPOINT_FIXTURES.resolve("gguf");

    @ParameterizedTest
    @ValueSource(strings = {"metadata_v3.gguf", "quantized.gguf", "layout_only.gguf"})
    void inspectListsTypeShapeAndStoredBytesAsGgufPySeesThem(String file) throws IOException {
        JsonNode expected = Cli.readJson(GGUF.resolve("expected.json")).get(file);
        JsonNode json = Cli.run("inspect", GGUF.resolve(file).toString(), "--json").assertSuccess().json();
        assertThat(json.get("format").asText()).isEqualTo("GGUF");
        assertThat(json.get("formatName").asText()).isEqualTo("GGUF (llama.cpp / ggml), version 3, alignment "
                + expected.get("alignment").intValue());
        List<String> names = new ArrayList<>();
        json.get("tensors").forEach(t -> names.add(t.get("name").asText()));
        List<String> order = new ArrayList<>();
        expected.get("tensor_order").forEach(n -> order.add(n.asText()));
        assertThat(names).containsExactlyElementsOf(order);
        long total = 0;
        for (JsonNode got : json.get("tensors")) {
            JsonNode want = expected.get("tensors").get(got.get("name").asText());
            assertThat(got.get("dtype").asText()).as(got.toString()).isEqualTo(want.get("ggml_type").asText());
            assertThat(got.get("shape")).as(got.toString()).isEqualTo(want.get("shape"));
            assertThat(got.get("bytes").longValue()).as(got.toString()).isEqualTo(want.get("n_bytes").longValue());
            total += want.get("n_bytes").longValue();
        }
        assertThat(json.get("tensorBytes").longValue()).isEqualTo(total);
    }

    @Test
    void inspectShowsTheMetadata() {
        Path file = GGUF.resolve("metadata_v3.gguf");
        JsonNode json = Cli.run("inspect", file.toString(), "--json").assertSuccess().json();
        JsonNode content = json.get("content");
        assertThat(content.get("general.architecture").asText()).isEqualTo("gpt2");
        assertThat(content.get("general.alignment").intValue()).isEqualTo(64);
        assertThat(content.get("test.u64").bigIntegerValue().toString()).isEqualTo("18446744073709551615");
        assertThat(content.get("test.f32_nan").asText()).isEqualTo("NaN");
        assertThat(content.get("tokenizer.ggml.tokens").get(2).asText()).isEqualTo("\u0120the");
        assertThat(content.get("test.array.nested_string").toString()).isEqualTo("[[\"x\"],[\"y\",\"z\"]]");
        JsonNode scalar = json.get("tensors").get(9);
        assertThat(scalar.get("name").asText()).isEqualTo("f32.scalar");
        assertThat(scalar.get("value").doubleValue()).isEqualTo(42.5);

        String text = Cli.run("inspect", GGUF.resolve("quantized.gguf").toString()).assertSuccess().out();
        assertThat(text).contains("format   GGUF (llama.cpp / ggml), version 3, alignment 32")
                .containsPattern("Q4_K\\.random +Q4_K +\\[2, 512\\] +576\n")
                .contains("general.architecture: 'gpt2'");
        String layouts = Cli.run("inspect", GGUF.resolve("layout_only.gguf").toString()).assertSuccess().out();
        assertThat(layouts).containsPattern("IQ2_XXS\\.layout +IQ2_XXS +\\[1, 256\\] +66\n");
    }

    /** convert → reopen: block types dequantized bit for bit as gguf-py does, the F32 tensor as it was. */
    @Test
    void convertDequantizesEveryBlockTypeAsGgufPyDoes(@TempDir Path tmp) throws IOException {
        JsonNode expected = Cli.readJson(GGUF.resolve("expected.json")).get("quantized.gguf");
        ByteBuffer ref = ByteBuffer.wrap(Files.readAllBytes(GGUF.resolve("dequantized.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        Path out = tmp.resolve("dequantized.safetensors");
        Cli.Result r = Cli.run("convert", GGUF.resolve("quantized.gguf").toString(), out.toString()).assertSuccess();
        assertThat(r.out()).startsWith("wrote " + out + ": " + expected.get("tensor_order").size() + " tensors");
        try (Checkpoint converted = Checkpoints.open(out)) {
            assertThat(converted.format()).isEqualTo(CheckpointFormat.SAFETENSORS);
            List<String> order = new ArrayList<>();
            expected.get("tensor_order").forEach(n -> order.add(n.asText()));
            assertThat(converted.tensorNames()).containsExactlyElementsOf(order);
            for (String name : order) {
                JsonNode want = expected.get("tensors").get(name);
                Tensor t = converted.tensor(name);
                assertThat(t.dtype()).as(name).isEqualTo(DType.F32);
                assertThat(Cli.ints(want.get("shape"))).as(name)
                        .containsExactly(java.util.Arrays.stream(t.shape().toArray()).mapToInt(d -> (int) d).toArray());
                float[] values = t.toFloatArray();
                int at = want.get("values_at").intValue();
                assertThat(values).hasSize(want.get("values_count").intValue());
                for (int i = 0; i < values.length; i++) {
                    assertThat(Float.floatToIntBits(values[i])).as(name + " value " + i)
                            .isEqualTo(Float.floatToIntBits(ref.getFloat(4 * (at + i))));
                }
            }
        }
    }

    @Test
    void convertKeepsPlainTensorsBitForBit(@TempDir Path tmp) throws IOException {
        Path source = GGUF.resolve("metadata_v3.gguf");
        Path out = tmp.resolve("plain.safetensors");
        Cli.run("convert", source.toString(), out.toString()).assertSuccess();
        try (Checkpoint from = Checkpoints.open(source); Checkpoint to = Checkpoints.open(out)) {
            assertThat(to.tensorNames()).containsExactlyElementsOf(from.tensorNames());
            for (String name : from.tensorNames()) {
                Tensor a = from.tensor(name);
                Tensor b = to.tensor(name);
                assertThat(b.dtype()).as(name).isEqualTo(a.dtype());
                assertThat(b.shape()).as(name).isEqualTo(a.shape());
                assertThat(b.contiguousData().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as(name)
                        .isEqualTo(a.contiguousData().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void convertStopsAtABlockTypeItCannotDequantizeNamingIt(@TempDir Path tmp) {
        Path out = tmp.resolve("x.safetensors");
        Cli.Result r = Cli.run("convert", GGUF.resolve("layout_only.gguf").toString(), out.toString()).assertOneLineError(1);
        assertThat(r.err()).contains("tensor 'Q8_K.layout'").contains("Q8_K blocks are not dequantized");
        assertThat(out).doesNotExist();
    }
}
