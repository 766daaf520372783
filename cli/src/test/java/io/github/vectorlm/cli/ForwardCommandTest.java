package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ForwardCommandTest {
    /** Every logit of every position equals Hugging Face GPT2LMHeadModel's within 1e-4 (relative to the row's scale). */
    @Test
    void logitsEqualHuggingFace() throws IOException {
        Path dir = Cli.GPT2_FIXTURES.resolve("hf");
        JsonNode expected = Cli.readJson(dir.resolve("expected-f32.json"));
        int[] ids = Cli.ints(expected.get("ids"));
        Cli.Result r = Cli.run("forward", "--model", dir.resolve("f32-safetensors").toString(), "--ids", Cli.ids(ids), "--json")
                .assertSuccess();
        JsonNode logits = r.json().get("logits");
        JsonNode want = expected.get("logits");
        assertThat(logits.size()).isEqualTo(ids.length);
        double worst = 0;
        for (int p = 0; p < ids.length; p++) {
            assertThat(logits.get(p).size()).isEqualTo(want.get(p).size());
            double scale = 0;
            for (JsonNode v : want.get(p)) {
                scale = Math.max(scale, Math.abs(v.doubleValue()));
            }
            for (int v = 0; v < want.get(p).size(); v++) {
                worst = Math.max(worst, Math.abs(logits.get(p).get(v).doubleValue() - want.get(p).get(v).doubleValue()) / scale);
            }
        }
        System.out.printf("forward --json vs Hugging Face: worst difference %.2e of the row's largest logit%n", worst);
        assertThat(worst).isLessThan(1e-4);
    }

    /** Each printed number is the shortest text of a float32 (Float.toString), so it reads back to the same float. */
    @Test
    void floatsAreWrittenSoTheyRoundTrip() throws IOException {
        Cli.Result r = Cli.run("forward", "--ids", "464,2068", "--json").assertSuccess();
        int numbers = 0;
        try (JsonParser parser = new ObjectMapper().getFactory().createParser(r.out())) {
            for (JsonToken t; (t = parser.nextToken()) != null; ) {
                if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                    String text = parser.getText();
                    float f = Float.parseFloat(text);
                    assertThat(Float.toString(f)).as("printed %s", text).isEqualTo(text);
                    numbers++;
                }
            }
        }
        assertThat(numbers).isEqualTo(2 * 50304); // nanoGPT pads GPT-2's vocabulary to 50304
    }

    @Test
    void plainOutputShowsTheTopLogitsWithTokens() {
        Cli.Result r = Cli.run("forward", "--text", "ROMEO:", "--top", "3").assertSuccess();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(3); // ROM, EO, :
        assertThat(lines[0]).startsWith("   0  33676 \"ROM\" ->");
        assertThat(lines[2].split("  ")).hasSizeGreaterThanOrEqualTo(4);
    }
}
