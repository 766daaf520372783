package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.Checkpoint;
import io.github.vectorlm.checkpoint.CheckpointFormat;
import io.github.vectorlm.checkpoint.Checkpoints;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** inspect and convert on checkpoint-io's fixtures, whose expected.json PyTorch or TensorFlow wrote. */
class InspectAndConvertTest {
    private static final Path TORCH = Cli.CHECKPOINT_FIXTURES.resolve("torch");

    @ParameterizedTest
    @ValueSource(strings = {"views_zip.pt", "dtypes_zip_p4.pt", "dtypes_legacy_p2.pt", "nested_zip_p4.pt", "nanogpt_ckpt.pt"})
    void inspectJsonListsTheTensorsPyTorchWrote(String file) throws IOException {
        JsonNode expected = Cli.readJson(TORCH.resolve("expected.json")).get("files").get(file);
        JsonNode json = Cli.run("inspect", TORCH.resolve(file).toString(), "--json").assertSuccess().json();
        assertThat(json.get("format").asText()).isEqualTo(expected.get("format").asText());
        List<String> names = new ArrayList<>();
        json.get("tensors").forEach(t -> names.add(t.get("name").asText()));
        List<String> expectedNames = new ArrayList<>();
        expected.get("tensors").forEach(t -> expectedNames.add(t.get("name").asText()));
        assertThat(names).containsExactlyInAnyOrderElementsOf(expectedNames);
        assertThat(json.get("tensorCount").intValue()).isEqualTo(expectedNames.size());
        long total = 0;
        for (JsonNode want : expected.get("tensors")) {
            JsonNode got = find(json.get("tensors"), want.get("name").asText());
            assertThat(got.get("dtype").asText()).as(want.get("name").asText()).isEqualTo(want.get("dtype").asText());
            assertThat(got.get("shape")).as(want.get("name").asText()).isEqualTo(want.get("shape"));
            long numel = 1;
            for (JsonNode d : want.get("shape")) {
                numel *= d.longValue();
            }
            assertThat(got.get("bytes").longValue()).isEqualTo(numel * dtypeBytes(want.get("dtype").asText()));
            total += got.get("bytes").longValue();
        }
        assertThat(json.get("tensorBytes").longValue()).isEqualTo(total);
    }

    @Test
    void inspectShowsPickleContentWithTensorsAsNames() {
        JsonNode json = Cli.run("inspect", Cli.DEMO.resolve("ckpt.pt").toString(), "--json").assertSuccess().json();
        JsonNode content = json.get("content");
        assertThat(content.get("model_args").get("n_layer").intValue()).isEqualTo(6);
        assertThat(content.get("iter_num").intValue()).isEqualTo(1000);
        assertThat(content.get("best_val_loss").asText()).isEqualTo("best_val_loss");
        assertThat(content.get("model").get("transformer.wte.weight").asText()).isEqualTo("model.transformer.wte.weight");
        // the model card says: best validation estimate 4.806 at step 1000
        JsonNode best = find(json.get("tensors"), "best_val_loss");
        assertThat(best.get("value").doubleValue()).isBetween(4.805, 4.807);

        String text = Cli.run("inspect", Cli.DEMO.resolve("ckpt.pt").toString()).assertSuccess().out();
        assertThat(text).contains("format   PyTorch zip archive (torch.save)")
                .contains("model.transformer.wte.weight").contains("[50304, 128]").contains("12,877,824")
                .contains("n_layer: 6").contains("best_val_loss: <tensor best_val_loss>").contains("model: {77 tensors}");
    }

    @Test
    void inspectShowsSafetensorsMetadataAndTensorFlowHeader() throws IOException {
        JsonNode st = Cli.run("inspect", Cli.CHECKPOINT_FIXTURES.resolve("safetensors/metadata.safetensors").toString(), "--json")
                .assertSuccess().json();
        assertThat(st.get("format").asText()).isEqualTo("SAFETENSORS");
        assertThat(st.get("content").get("__metadata__").get("format").asText()).isEqualTo("pt");
        assertThat(st.get("content").get("__metadata__").get("note").asText()).isEqualTo("héllo ☃");

        JsonNode tfExpected = Cli.readJson(Cli.CHECKPOINT_FIXTURES.resolve("tf/expected.json")).get("basic");
        JsonNode tf = Cli.run("inspect", Cli.CHECKPOINT_FIXTURES.resolve("tf/basic").toString(), "--json").assertSuccess().json();
        assertThat(tf.get("format").asText()).isEqualTo("TENSORFLOW_BUNDLE");
        JsonNode matrix = find(tf.get("tensors"), "float/matrix");
        assertThat(matrix.get("dtype").asText()).isEqualTo("F32");
        assertThat(matrix.get("shape")).isEqualTo(tfExpected.get("float/matrix").get("shape"));
        assertThat(tf.get("content").toString()).contains("num_shards");
    }

    /** convert → reopen: every tensor has its name, dtype and shape, and exactly the source's bytes. */
    @ParameterizedTest
    @ValueSource(strings = {"torch/views_zip.pt", "torch/dtypes_zip_p4.pt", "torch/dtypes_big_endian.pt",
        "torch/nanogpt_ckpt.pt", "torch/state_dict_deflated.pt", "tf/basic", "safetensors/metadata.safetensors"})
    void convertWritesEveryTensorBitForBit(String fixture, @TempDir Path tmp) throws IOException {
        Path source = Cli.CHECKPOINT_FIXTURES.resolve(fixture);
        Path out = tmp.resolve("out.safetensors");
        Cli.Result r = Cli.run("convert", source.toString(), out.toString()).assertSuccess();
        assertThat(r.out()).startsWith("wrote " + out);
        try (Checkpoint from = Checkpoints.open(source); Checkpoint to = Checkpoints.open(out)) {
            assertThat(to.format()).isEqualTo(CheckpointFormat.SAFETENSORS);
            assertThat(to.tensorNames()).containsExactlyElementsOf(from.tensorNames());
            for (String name : from.tensorNames()) {
                Tensor a = from.tensor(name);
                Tensor b = to.tensor(name);
                assertThat(b.dtype()).as(name).isEqualTo(a.dtype());
                assertThat(b.shape()).as(name).isEqualTo(a.shape());
                assertThat(elementBytes(b)).as(name).isEqualTo(elementBytes(a));
            }
            if (from.format() == CheckpointFormat.SAFETENSORS) {
                assertThat(to.stringMetadata()).isEqualTo(from.stringMetadata());
            }
        }
    }

    /** The values PyTorch wrote (expected.json) come out of the converted file, views and transposes included. */
    @Test
    void convertedViewsHoldPyTorchsValues(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("views.safetensors");
        Cli.run("convert", TORCH.resolve("views_zip.pt").toString(), out.toString()).assertSuccess();
        JsonNode expected = Cli.readJson(TORCH.resolve("expected.json")).get("files").get("views_zip.pt");
        try (Checkpoint converted = Checkpoints.open(out)) {
            for (JsonNode want : expected.get("tensors")) {
                float[] values = converted.tensor(want.get("name").asText()).toFloatArray();
                assertThat(values).as(want.get("name").asText()).hasSize(want.get("values").size());
                for (int i = 0; i < values.length; i++) {
                    assertThat((double) values[i]).isEqualTo(want.get("values").get(i).doubleValue());
                }
            }
        }
    }

    @Test
    void convertRefusesToOverwriteWithoutForce(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("x.safetensors");
        Files.writeString(out, "keep me");
        Cli.Result r = Cli.run("convert", TORCH.resolve("views_zip.pt").toString(), out.toString()).assertOneLineError(1);
        assertThat(r.err()).contains("already exists").contains("--force");
        assertThat(Files.readString(out)).isEqualTo("keep me");
        Cli.run("convert", TORCH.resolve("views_zip.pt").toString(), out.toString(), "--force").assertSuccess();
        assertThat(Files.size(out)).isGreaterThan(100);
    }

    @Test
    void convertIntoAMissingFolderNamesThePathGiven(@TempDir Path tmp) {
        Path out = tmp.resolve("missing/x.safetensors");
        Cli.Result r = Cli.run("convert", TORCH.resolve("views_zip.pt").toString(), out.toString()).assertOneLineError(1);
        assertThat(r.err()).startsWith("vectorlm: no such file or folder: " + out + " (the folder " + out.getParent()
                + " does not exist)").doesNotContain(".tmp");
    }

    @Test
    void inspectHelpShowsTheDemoModelsRealCounts() {
        JsonNode json = Cli.run("inspect", Cli.DEMO.resolve("ckpt.pt").toString(), "--json").assertSuccess().json();
        String help = Cli.run("inspect", "--help").assertSuccess().out().replaceAll("\\s+", " ");
        assertThat(help).contains("\"tensorCount\": " + json.get("tensorCount").asInt() + ",")
                .contains("\"tensorBytes\": " + json.get("tensorBytes").asLong() + ",");
        JsonNode first = json.get("tensors").get(0);
        assertThat(help).contains("{\"name\": \"" + first.get("name").asText() + "\", \"dtype\": \"" + first.get("dtype").asText()
                + "\", \"shape\": " + first.get("shape").toString().replace(",", ", ") + ",");
    }

    private static byte[] elementBytes(Tensor t) {
        Tensor c = t.contiguous();
        return c.contiguousData().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    private static JsonNode find(JsonNode tensors, String name) {
        for (JsonNode t : tensors) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tensor " + name + " in " + tensors);
    }

    private static long dtypeBytes(String dtype) {
        return io.github.vectorlm.tensor.DType.valueOf(dtype).byteSize();
    }
}
