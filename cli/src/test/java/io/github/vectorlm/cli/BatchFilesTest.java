package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LanguageModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --prompts-file}, {@code score --texts-file} and {@code bench --parallel}: the batching engine from the command line. */
class BatchFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> lines(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    @Test
    void promptsFileGivesEachLineWhatGenerateGivesItAloneInInputOrder(@TempDir Path tmp) throws IOException {
        Path dir = Cli.GPT2_FIXTURES.resolve("hf");
        String model = dir.resolve("f32-safetensors").toString();
        JsonNode expected = Cli.readJson(dir.resolve("expected-f32.json")).get("generate");
        int[] prompt = Cli.ints(expected.get("prompt"));
        int[] oracle = Cli.ints(expected.get("ids"));
        Path file = tmp.resolve("prompts.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"ids\": [" + Cli.ids(prompt) + "], \"temperature\": 0, \"max_new_tokens\": " + oracle.length + "}",
                "{\"ids\": [1, 2, 3], \"seed\": 7, \"top_k\": 20}",
                "{\"ids\": [5], \"seed\": 8, \"temperature\": 1.2, \"max_new_tokens\": 40}",
                "not json",
                "",
                "{\"ids\": [1, 2], \"max_new_tokens\": \"many\"}",
                "{\"ids\": [4, 4, 4, 4], \"seed\": 9, \"top_p\": 0.5}") + "\n");
        Cli.Result r = Cli.run("generate", "--model", model, "--prompts-file", file.toString(), "--parallel", "2",
                "--max-new-tokens", "12");
        assertThat(r.status()).as("a line failed").isEqualTo(1);
        List<JsonNode> out = lines(r.out());
        assertThat(out).extracting(n -> n.get("index").intValue()).containsExactly(0, 1, 2, 3, 4, 5);
        // the first line against Hugging Face's greedy generate()
        assertThat(Cli.ints(out.get(0).get("ids"))).containsExactly(oracle);
        assertThat(out.get(0).get("finish_reason").asText()).isEqualTo("length");
        // seeded lines against generate run alone with the same options
        String[][] alone = {{"1,2,3", "7", "--top-k", "20", "--max-new-tokens", "12"},
            {"5", "8", "--temperature", "1.2", "--max-new-tokens", "40"},
            {"4,4,4,4", "9", "--top-p", "0.5", "--max-new-tokens", "12"}};
        int[] lineOf = {1, 2, 5};
        for (int i = 0; i < alone.length; i++) {
            List<String> args = new ArrayList<>(List.of("generate", "--model", model, "--ids", alone[i][0], "--seed",
                    alone[i][1], "--json"));
            args.addAll(List.of(alone[i]).subList(2, alone[i].length));
            JsonNode single = Cli.run(args.toArray(String[]::new)).assertSuccess().json();
            assertThat(Cli.ints(out.get(lineOf[i]).get("ids"))).as("line %d", lineOf[i])
                    .containsExactly(Cli.ints(single.get("ids")));
        }
        assertThat(out.get(3).get("error").asText()).startsWith(file + " line 4: Unrecognized token 'not'");
        assertThat(out.get(4).get("error").asText()).isEqualTo(file + " line 6: \"max_new_tokens\" must be a number, "
                + "got \"many\"");
    }

    @Test
    void textsFileScoresEachLineAsScoreDoes(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("texts.jsonl");
        Files.writeString(file, "{\"text\": \"To be, or not to be, that is the question\"}\n{\"ids\": [7]}\n"
                + "{\"text\": \"O Romeo, Romeo, wherefore art thou Romeo?\"}\n");
        Cli.Result r = Cli.run("score", "--texts-file", file.toString(), "--parallel", "2");
        assertThat(r.status()).isEqualTo(1);
        List<JsonNode> out = lines(r.out());
        for (int i : new int[] {0, 2}) {
            String text = i == 0 ? "To be, or not to be, that is the question" : "O Romeo, Romeo, wherefore art thou Romeo?";
            JsonNode alone = Cli.run("score", "--text", text, "--json").assertSuccess().json();
            assertThat(out.get(i).get("loss").doubleValue()).isEqualTo(alone.get("loss").doubleValue());
            assertThat(out.get(i).get("tokens").intValue()).isEqualTo(alone.get("tokens").intValue());
        }
        assertThat(out.get(1).get("error").asText()).contains("line 2: scoring needs at least 2 tokens");
    }

    private record Progress(String task, long done, long total) {
    }

    @Test
    void batchFilesReportTheLinesDoneOfTheFilesLines(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("texts.jsonl");
        Files.writeString(file, "{\"ids\": [1, 2, 3]}\n\n{\"ids\": [7]}\n{\"ids\": [4, 5]}\n");
        List<Progress> events = new ArrayList<>();
        StringWriter out = new StringWriter();
        try (LanguageModel demo = LanguageModels.load(Cli.DEMO)) {
            int failed = JsonLinesJobs.score(demo, null, file, 2, new PrintWriter(out),
                    (task, done, total) -> events.add(new Progress(task, done, total)));
            assertThat(failed).as("[7] has one token").isEqualTo(1);
            Path prompts = tmp.resolve("prompts.jsonl");
            Files.writeString(prompts, "{\"ids\": [1]}\n{\"ids\": [2]}\n");
            JsonLinesJobs.generate(demo, null, prompts, 1, GenerationOptions.greedy(2), false, new PrintWriter(out),
                    (task, done, total) -> events.add(new Progress(task, done, total)));
        }
        assertThat(events).containsExactly(new Progress("texts.jsonl lines", 0, 3), new Progress("texts.jsonl lines", 1, 3),
                new Progress("texts.jsonl lines", 2, 3), new Progress("texts.jsonl lines", 3, 3),
                new Progress("prompts.jsonl lines", 0, 2), new Progress("prompts.jsonl lines", 1, 2),
                new Progress("prompts.jsonl lines", 2, 2));
    }

    @Test
    void benchParallelReportsEachParallelism() {
        JsonNode json = Cli.run("bench", "--parallel", "1,3", "--prompt-tokens", "4", "--new-tokens", "6", "--runs",
                "1", "--warmup", "0", "--json").assertSuccess().json();
        JsonNode rows = json.get("parallel");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).get("sequences").intValue()).isEqualTo(3);
        assertThat(rows.get(1).get("aggregateDecodeTokensPerSecond").doubleValue()).isPositive();
        Cli.run("bench", "--parallel", "0").assertOneLineError(1);
    }
}
