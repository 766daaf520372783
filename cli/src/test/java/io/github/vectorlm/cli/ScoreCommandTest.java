package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreCommandTest {
    /**
     * Issue 7: the loss of the demo model on the first 2,000 validation tokens equals the loss
     * PyTorch computed for them (score.json, float32 on the CPU, window 256, stride 128) within 1e-4.
     */
    @Test
    void demoModelScoreOfTheValidationIdsEqualsPyTorch() throws IOException {
        JsonNode oracle = Cli.readJson(Cli.DEMO.resolve("score.json"));
        int[] ids = Cli.ints(oracle.get("ids"));
        assertThat(ids).hasSize(2000);
        assertThat(oracle.get("window").intValue()).isEqualTo(256);
        assertThat(oracle.get("stride").intValue()).isEqualTo(128);
        JsonNode json = Cli.run("score", "--ids", Cli.ids(ids), "--json").assertSuccess().json();
        assertThat(json.get("tokens").intValue()).isEqualTo(2000);
        double loss = json.get("loss").doubleValue();
        System.out.printf("score --ids: loss %.10f, PyTorch %.10f, difference %.2e%n", loss,
                oracle.get("loss").doubleValue(), Math.abs(loss - oracle.get("loss").doubleValue()));
        assertThat(loss).isCloseTo(oracle.get("loss").doubleValue(), within(1e-4));
        assertThat(json.get("perplexity").doubleValue()).isCloseTo(Math.exp(loss), within(1e-9 * Math.exp(loss)));
    }

    /**
     * The same through --file: the GPT-2 tokenizer reproduces score.json's 2,000 ids from its text
     * (checked first, so a tokenizer difference is reported as such), so the loss must equal PyTorch's too.
     */
    @Test
    void demoModelScoreOfTheValidationTextEqualsPyTorch(@TempDir Path tmp) throws IOException {
        JsonNode oracle = Cli.readJson(Cli.DEMO.resolve("score.json"));
        String text = oracle.get("text").asText();
        Path file = tmp.resolve("validation.txt");
        Files.writeString(file, text);
        JsonNode encoded = Cli.run("tokenize", "--text", text, "--json").assertSuccess().json();
        assertThat(Cli.ints(encoded.get("ids"))).containsExactly(Cli.ints(oracle.get("ids")));
        JsonNode json = Cli.run("score", "--file", file.toString(), "--json").assertSuccess().json();
        assertThat(json.get("tokens").intValue()).isEqualTo(2000);
        assertThat(json.get("loss").doubleValue()).isCloseTo(oracle.get("loss").doubleValue(), within(1e-4));
    }

    /** Hugging Face's loss (labels = ids) on the random-weight fixture, within 1e-5. */
    @Test
    void scoreOfIdsEqualsHuggingFaceLoss() throws IOException {
        Path dir = Cli.GPT2_FIXTURES.resolve("hf");
        JsonNode expected = Cli.readJson(dir.resolve("expected-f32.json"));
        JsonNode json = Cli.run("score", "--model", dir.resolve("f32-safetensors").toString(), "--ids",
                Cli.ids(Cli.ints(expected.get("ids"))), "--json").assertSuccess().json();
        assertThat(json.get("tokens").intValue()).isEqualTo(expected.get("ids").size());
        assertThat(json.get("loss").doubleValue()).isCloseTo(expected.get("loss").doubleValue(), within(1e-5));
    }

    @Test
    void plainOutputAndShortInput() {
        Cli.Result r = Cli.run("score", "--text", "To be, or not to be").assertSuccess();
        assertThat(r.out()).matches("tokens 7  loss \\d+\\.\\d{6}  perplexity \\d+\\.\\d{2}\n");
        Cli.Result one = Cli.run("score", "--ids", "464").assertOneLineError(1);
        assertThat(one.err()).contains("at least 2 tokens");
    }

    @Test
    void aMissingFileIsOneLine() {
        Cli.Result r = Cli.run("score", "--file", "/no/such/file.txt").assertOneLineError(1);
        assertThat(r.err()).contains("/no/such/file.txt");
    }
}
