package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The model commands on GPT-NeoX: Hugging Face folders and NeoX slim weights (issue 6), against Hugging Face's outputs. */
class NeoxCommandsTest {
    private static final Path HF = Cli.HOME.resolve("neox-model/src/test/resources/hf");

    @Test
    void huggingFaceFolderGreedyAndLossEqualHuggingFace() throws IOException {
        Path dir = HF.resolve("par_r25_f32_st");
        JsonNode expected = Cli.readJson(dir.resolve("expected.json"));
        int[] greedy = Cli.ints(expected.get("greedy"));
        JsonNode gen = Cli.run("generate", "--model", dir.toString(), "--ids", Cli.ids(Cli.ints(expected.get("prompt"))),
                "--max-new-tokens", Integer.toString(greedy.length), "--temperature", "0", "--json").assertSuccess().json();
        assertThat(Cli.ints(gen.get("ids"))).containsExactly(greedy);
        JsonNode score = Cli.run("score", "--model", dir.toString(), "--ids", Cli.ids(Cli.ints(expected.get("ids"))), "--json")
                .assertSuccess().json();
        assertThat(score.get("loss").doubleValue()).isCloseTo(expected.get("loss").doubleValue(), within(1e-5));
    }

    /** Slim weights (two tensor-parallel partitions, f16) with their YAML found in configs/ or given by --config. */
    @Test
    void slimWeightsFolderWithItsYaml() throws IOException {
        Path dir = HF.resolve("slim");
        JsonNode expected = Cli.readJson(dir.resolve("expected.json"));
        int[] greedy = Cli.ints(expected.get("greedy"));
        String prompt = Cli.ids(Cli.ints(expected.get("prompt")));
        String n = Integer.toString(greedy.length);
        JsonNode found = Cli.run("generate", "--model", dir.toString(), "--ids", prompt, "--max-new-tokens", n,
                "--temperature", "0", "--json").assertSuccess().json();
        assertThat(Cli.ints(found.get("ids"))).containsExactly(greedy);
        JsonNode given = Cli.run("generate", "--model", dir.toString(), "--config", dir.resolve("configs/tiny.yml").toString(),
                "--ids", prompt, "--max-new-tokens", n, "--temperature", "0", "--json").assertSuccess().json();
        assertThat(Cli.ints(given.get("ids"))).containsExactly(greedy);
        JsonNode score = Cli.run("score", "--model", dir.toString(), "--ids", Cli.ids(Cli.ints(expected.get("ids"))), "--json")
                .assertSuccess().json();
        assertThat(score.get("loss").doubleValue()).isCloseTo(expected.get("loss").doubleValue(), within(1e-4));
    }

    @Test
    void slimWeightsWhosePartitionsDisagreeAreRefusedInOneLine() {
        Cli.Result r = Cli.run("generate", "--model", HF.resolve("slim_bad_ln").toString(), "--ids", "1,2").assertOneLineError(1);
        assertThat(r.err()).containsIgnoringCase("layernorm");
    }

    @Test
    void neoxDemoModelGeneratesTextWithItsTokenizerJson() {
        Path model = Cli.HOME.resolve("models/neox-shakespeare");
        JsonNode json = Cli.run("generate", "--model", model.toString(), "--prompt", "JULIET:", "--temperature", "0",
                "--max-new-tokens", "16", "--json").assertSuccess().json();
        assertThat(json.get("text").asText()).startsWith("JULIET:").hasSizeGreaterThan("JULIET:".length());
        String ids = Cli.run("tokenize", "--model", model.toString(), "--text", "JULIET: O Romeo").assertSuccess().out().strip();
        assertThat(Cli.run("tokenize", "--model", model.toString(), "--decode", ids).assertSuccess().out()).isEqualTo("JULIET: O Romeo\n");
    }

    /** --int8 reaches the NeoX loader: the loss moves by less than 1% (the scheme keeps outlier features in float). */
    @Test
    void int8IsPassedToTheModel() throws IOException {
        Path dir = HF.resolve("par_r25_f32_st");
        JsonNode expected = Cli.readJson(dir.resolve("expected.json"));
        String ids = Cli.ids(Cli.ints(expected.get("ids")));
        double f32 = Cli.run("score", "--model", dir.toString(), "--ids", ids, "--json").assertSuccess().json().get("loss").doubleValue();
        double int8 = Cli.run("score", "--model", dir.toString(), "--ids", ids, "--json", "--int8").assertSuccess().json()
                .get("loss").doubleValue();
        System.out.printf("NeoX fixture loss: float %.6f, int8 %.6f%n", f32, int8);
        assertThat(int8).isNotEqualTo(f32).isCloseTo(f32, within(0.01 * f32));
    }
}
