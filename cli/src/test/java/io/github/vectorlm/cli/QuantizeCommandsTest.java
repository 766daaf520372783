package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code --quantize} and {@code --int8} on the demo GPT-2 model, and {@code score --compare-to-f32}. */
class QuantizeCommandsTest {
    private static final String TEXT = "ROMEO:\nBut, soft! what light through yonder window breaks?\n"
            + "It is the east, and Juliet is the sun.\nArise, fair sun, and kill the envious moon.";

    @Test
    void compareToF32ReportsTheQuantizationMeasures() {
        String text = TEXT;
        JsonNode q8 = Cli.run("score", "--text", text, "--quantize", "q8_0", "--compare-to-f32", "--json")
                .assertSuccess().json();
        JsonNode q4 = Cli.run("score", "--text", text, "--quantize", "Q4_0", "--compare-to-f32", "--json")
                .assertSuccess().json();
        JsonNode int8 = Cli.run("score", "--text", text, "--int8", "--compare-to-f32", "--json").assertSuccess().json();
        double plain = Cli.run("score", "--text", text, "--json").assertSuccess().json().get("perplexity").doubleValue();
        for (JsonNode r : new JsonNode[] {q8, q4, int8}) {
            System.out.println("demo model, --compare-to-f32: " + r);
            assertThat(r.get("reference_perplexity").doubleValue()).isEqualTo(plain);
            assertThat(r.get("perplexity_ratio").doubleValue())
                    .isEqualTo(r.get("perplexity").doubleValue() / r.get("reference_perplexity").doubleValue());
            assertThat(r.get("mean_kl_divergence").doubleValue()).isGreaterThan(0).isLessThan(0.05);
            assertThat(r.get("max_kl_divergence").doubleValue()).isGreaterThanOrEqualTo(r.get("mean_kl_divergence").doubleValue());
            assertThat(r.get("same_top_token").doubleValue()).isGreaterThan(0.8).isLessThanOrEqualTo(1.0);
        }
        // four bits round more than eight
        assertThat(q4.get("mean_kl_divergence").doubleValue()).isGreaterThan(q8.get("mean_kl_divergence").doubleValue());
        String plainText = Cli.run("score", "--text", text, "--quantize", "q8_0", "--compare-to-f32").assertSuccess().out();
        assertThat(plainText).contains("mean KL divergence").contains("same top token").contains("ratio");
    }

    @Test
    void quantizedGpt2Generates() {
        for (String[] option : new String[][] {{"--quantize", "q4_0"}, {"--int8"}}) {
            String[] args = {"generate", "--prompt", "JULIET:", "--temperature", "0", "--max-new-tokens", "8", "--json"};
            String[] all = java.util.Arrays.copyOf(args, args.length + option.length);
            System.arraycopy(option, 0, all, args.length, option.length);
            JsonNode json = Cli.run(all).assertSuccess().json();
            assertThat(json.get("text").asText()).startsWith("JULIET:").hasSizeGreaterThan("JULIET:".length());
        }
    }

    @Test
    void badQuantizeOptionsAreOneLineErrors() {
        assertThat(Cli.run("score", "--text", "a b c", "--quantize", "q5_1").assertOneLineError(1).err())
                .contains("q8_0 or q4_0");
        assertThat(Cli.run("score", "--text", "a b c", "--quantize", "q8_0", "--int8").assertOneLineError(1).err())
                .contains("exclude each other");
        assertThat(Cli.run("score", "--text", "a b c", "--compare-to-f32").assertOneLineError(1).err())
                .contains("--compare-to-f32");
    }
}
