package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {
    @Test
    void encodesWithOpenAisIds() {
        // "Hello" is 15496 and " world" 995 in OpenAI's encoder.json
        assertThat(Cli.run("tokenize", "--text", "Hello world").assertSuccess().out()).isEqualTo("15496,995\n");
        assertThat(Cli.run("tokenize", "--text", "Hello world", "--json").assertSuccess().out()).isEqualTo("{\"ids\":[15496,995]}\n");
    }

    @Test
    void roundTripsHardText() {
        String text = "Ünïcödé  spaces\ttabs\r\nCRLF, contractions isn't, digits 12345, emoji 👩‍👩‍👧 and 漢字 <|endoftext|> end";
        String ids = Cli.run("tokenize", "--text", text).assertSuccess().out().strip();
        assertThat(ids).contains(",50256,");
        assertThat(Cli.run("tokenize", "--decode", ids, "--json").assertSuccess().json().get("text").asText()).isEqualTo(text);
        assertThat(Cli.run("tokenize", "--decode", ids).assertSuccess().out()).isEqualTo(text + "\n");
    }

    @Test
    void explicitTokenizerFileAndModelFolderGiveTheSameIds() {
        String viaFile = Cli.run("tokenize", "--tokenizer", Cli.DEMO.resolve("encoder.json").toString(), "--text", "ROMEO:")
                .assertSuccess().out();
        String viaModel = Cli.run("tokenize", "--model", Cli.DEMO.toString(), "--text", "ROMEO:").assertSuccess().out();
        assertThat(viaFile).isEqualTo(viaModel).isEqualTo("33676,4720,25\n");
    }

    @Test
    void huggingFaceTokenizerJson() {
        Path neox = Cli.HOME.resolve("models/neox-shakespeare/tokenizer.json");
        String ids = Cli.run("tokenize", "--tokenizer", neox.toString(), "--text", "Hello  world").assertSuccess().out().strip();
        assertThat(Cli.run("tokenize", "--tokenizer", neox.toString(), "--decode", ids).assertSuccess().out())
                .isEqualTo("Hello  world\n");
    }

    @Test
    void badIdsAndMissingTokenizersAreOneLineErrors() {
        Cli.run("tokenize", "--decode", "1,99999999").assertOneLineError(1);
        Cli.Result none = Cli.run("tokenize", "--model", Cli.GPT2_FIXTURES.resolve("hf/f32-safetensors").toString(), "--text", "x")
                .assertOneLineError(1);
        assertThat(none.err()).contains("no tokenizer found").contains("--tokenizer");
        Cli.Result missing = Cli.run("tokenize", "--tokenizer", "/no/such/tokenizer.json", "--text", "x").assertOneLineError(1);
        assertThat(missing.err()).contains("/no/such/tokenizer.json");
    }
}
