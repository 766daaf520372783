package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void jsonHasTheFiguresAndPlainOutputTheirLines() {
        JsonNode json = Cli.run("bench", "--prompt-tokens", "4", "--new-tokens", "4", "--warmup", "0", "--runs", "2",
                "--threads", "1", "--json").assertSuccess().json();
        assertThat(json.get("architecture").asText()).isEqualTo("gpt2");
        assertThat(json.get("promptTokens").intValue()).isEqualTo(4);
        assertThat(json.get("threads").intValue()).isEqualTo(1);
        assertThat(json.get("prefillMillis").doubleValue()).isPositive();
        assertThat(json.get("decodeTokensPerSecond").doubleValue()).isPositive();
        double[] range = {json.get("decodeTokensPerSecondRange").get(0).doubleValue(),
            json.get("decodeTokensPerSecondRange").get(1).doubleValue()};
        assertThat(json.get("decodeTokensPerSecond").doubleValue()).isBetween(range[0], range[1]);

        String plain = Cli.run("bench", "--prompt-tokens", "4", "--new-tokens", "4", "--warmup", "0", "--runs", "1")
                .assertSuccess().out();
        assertThat(plain).contains("prefill 4 tokens:").contains("decode 4 tokens:");

        String one = Cli.run("bench", "--prompt-tokens", "2", "--new-tokens", "2", "--warmup", "1", "--runs", "1",
                "--threads", "1").assertSuccess().out();
        assertThat(one).startsWith("gpt2, 1 thread, median of 1 run after 1 warm-up run\n");
    }

    @Test
    void httpRunsTheSameSequencesThroughTheServer() {
        JsonNode json = Cli.run("bench", "--parallel", "2", "--http", "--prompt-tokens", "4", "--new-tokens", "6",
                "--warmup", "0", "--runs", "2", "--json").assertSuccess().json();
        JsonNode row = json.get("http").get(0);
        assertThat(row.get("sequences").intValue()).isEqualTo(2);
        for (String key : new String[] {"engineTokensPerSecond", "httpTokensPerSecond", "httpOverEngine"}) {
            assertThat(row.get(key)).as(key).hasSize(2);
            row.get(key).forEach(v -> assertThat(v.doubleValue()).as(key).isPositive());
        }
        assertThat(row.get("medianHttpOverEngine").doubleValue()).isPositive();
    }

    @Test
    void tooLongForTheContextIsRefused() {
        Cli.Result r = Cli.run("bench", "--prompt-tokens", "200", "--new-tokens", "100").assertOneLineError(1);
        assertThat(r.err()).contains("context of 256");
    }
}
