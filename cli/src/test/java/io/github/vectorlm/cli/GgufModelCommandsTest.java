package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * {@code --model file.gguf}: llama.cpp-converted GPT-2 and GPT-NeoX fixtures (the model modules'
 * {@code src/test/resources/gguf}, made by {@code tools/make_gguf_model_fixtures.py}) run through
 * generate, score and bench with the tokenizer from the file's metadata.
 */
class GgufModelCommandsTest {
    private static final String GPT2 = "../gpt2-model/src/test/resources/gguf/gpt2-q4_0.gguf";
    private static final String NEOX_Q6K = "../neox-model/src/test/resources/gguf/neox-q6k-q4_0.gguf";

    @Test
    void generateRunsAGgufFileWithItsOwnTokenizer() {
        for (String model : new String[] {GPT2, NEOX_Q6K}) {
            JsonNode json = Cli.run("generate", "--model", model, "--prompt", "ROMEO: the", "--temperature", "0",
                    "--max-new-tokens", "6", "--json").assertSuccess().json();
            assertThat(json.get("text").asText()).as(model).startsWith("ROMEO: the").hasSizeGreaterThan(10);
            assertThat(json.get("ids").size()).as(model).isEqualTo(6);
        }
    }

    @Test
    void scoreAndBenchTakeAGgufFile() {
        JsonNode score = Cli.run("score", "--model", GPT2, "--text", "ROMEO: the king is here", "--json")
                .assertSuccess().json();
        assertThat(score.get("perplexity").doubleValue()).isGreaterThan(1.0).isFinite();
        Cli.run("bench", "--model", NEOX_Q6K, "--prompt-tokens", "8", "--new-tokens", "4", "--runs", "1", "--warmup", "0").assertSuccess();
    }

    @Test
    void aGgufFileOfAnotherArchitectureIsAOneLineError() throws Exception {
        java.nio.file.Path tmp = java.nio.file.Files.createTempFile("other", ".gguf");
        try {
            byte[] b = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(GPT2));
            byte[] from = "\4\0\0\0\0\0\0\0gpt2".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            outer:
            for (int i = 0; i + from.length <= b.length; i++) {
                for (int j = 0; j < from.length; j++) {
                    if (b[i + j] != from[j]) {
                        continue outer;
                    }
                }
                System.arraycopy("bert".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, b, i + 8, 4);
                break;
            }
            java.nio.file.Files.write(tmp, b);
            assertThat(Cli.run("generate", "--model", tmp.toString(), "--prompt", "a").assertOneLineError(1).err())
                    .contains("architecture 'bert'");
        } finally {
            java.nio.file.Files.delete(tmp);
        }
    }
}
