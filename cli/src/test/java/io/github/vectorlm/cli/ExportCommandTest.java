package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.checkpoint.GgufCheckpoint;
import io.github.vectorlm.checkpoint.GgufReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vectorlm export} end to end: what it writes and says, and its refusals as one-line errors.
 * (What the files hold is checked against transformers and llama.cpp in the model modules' export tests.)
 */
class ExportCommandTest {
    @Test
    void exportsTheDemoModelToBothFormats(@TempDir Path tmp) throws IOException {
        Path hf = tmp.resolve("hf");
        Cli.Result r = Cli.run("export", "--model", Cli.DEMO.toString(), "--to", "hf", hf.toString()).assertSuccess();
        assertThat(r.out()).startsWith("wrote " + hf + ": hf f16, 76 tensors");
        assertThat(hf.resolve("config.json")).exists();
        assertThat(hf.resolve("tokenizer.json")).exists();
        Path gguf = tmp.resolve("m.gguf");
        Cli.run("export", "--model", Cli.DEMO.toString(), "--to", "gguf", gguf.toString(), "--quantize", "q8_0")
                .assertSuccess();
        try (GgufCheckpoint g = GgufReader.open(gguf)) {
            assertThat(g.metadata().get("general.architecture")).isEqualTo("gpt2");
            assertThat(g.ggmlType("blk.0.attn_qkv.weight").name()).isEqualTo("Q8_0");
        }
    }

    /** Without --model, as the model commands: the demo model, or a one-line error where there is none. */
    @Test
    void exportsTheDemoModelWithoutModel(@TempDir Path tmp) throws IOException {
        Path gguf = tmp.resolve("demo.gguf");
        Cli.Result r = Cli.run("export", "--to", "gguf", gguf.toString()).assertSuccess();
        assertThat(r.out()).startsWith("wrote " + gguf + ": gguf f16, 77 tensors");
        try (GgufCheckpoint g = GgufReader.open(gguf)) {
            assertThat(g.metadata().get("general.name")).isEqualTo("gpt2-shakespeare");
            assertThat(g.metadata().get("general.architecture")).isEqualTo("gpt2");
        }
        assertThat(Cli.run("export", "--help").assertSuccess().out().replaceAll("\\s+", " ")).contains("[--model=PATH]")
                .contains("Default: the built-in demo model models/gpt2-shakespeare.");

        StringWriter err = new StringWriter();
        Path nowhere = Files.createDirectory(tmp.resolve("home"));
        int status = VectorLm.execute(new String[] {"export", "--to", "gguf", tmp.resolve("x.gguf").toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err), new CliContext(nowhere, false));
        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).startsWith("vectorlm: no --model given, and the demo model is not at")
                .contains("hint: pass --model PATH");
        assertThat(tmp.resolve("x.gguf")).doesNotExist();
    }

    @Test
    void refusesWithOneLineErrors(@TempDir Path tmp) throws IOException {
        Path out = Files.createDirectory(tmp.resolve("out"));
        String model = Cli.GPT2_FIXTURES.resolve("hf/f32-safetensors").toString();
        assertThat(Cli.run("export", "--model", model, "--to", "hf", out.toString()).assertOneLineError(1).err())
                .contains("already exists").contains("--force");
        assertThat(Cli.run("export", "--model", model, "--to", "hf", tmp.resolve("q").toString(), "--quantize", "q8_0")
                .assertOneLineError(1).err()).contains("q8_0 is a GGUF block type");
        assertThat(Cli.run("export", "--model", model, "--to", "onnx", tmp.resolve("q").toString())
                .assertOneLineError(1).err()).contains("--to onnx: expected hf or gguf");
        assertThat(Cli.run("export", "--model", model, "--to", "gguf", tmp.resolve("t.gguf").toString())
                .assertOneLineError(1).err()).contains("needs the model's tokenizer");
        assertThat(tmp.resolve("t.gguf")).doesNotExist();
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("out");
        }
    }
}
