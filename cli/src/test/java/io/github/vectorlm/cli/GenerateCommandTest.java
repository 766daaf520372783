package io.github.vectorlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GenerateCommandTest {
    /** Hugging Face GPT2LMHeadModel's greedy generate() on the random-weight f32 fixture is the oracle. */
    @Test
    void greedyJsonEqualsHuggingFaceGenerate() throws IOException {
        Path dir = Cli.GPT2_FIXTURES.resolve("hf");
        JsonNode expected = Cli.readJson(dir.resolve("expected-f32.json")).get("generate");
        int[] prompt = Cli.ints(expected.get("prompt"));
        int[] ids = Cli.ints(expected.get("ids"));
        Cli.Result r = Cli.run("generate", "--model", dir.resolve("f32-safetensors").toString(), "--ids", Cli.ids(prompt),
                "--max-new-tokens", Integer.toString(ids.length), "--temperature", "0", "--json").assertSuccess();
        JsonNode json = r.json();
        assertThat(Cli.ints(json.get("ids"))).containsExactly(ids);
        assertThat(json.has("text")).as("no tokenizer beside the fixture, so no text").isFalse();
    }

    /** The nanoGPT-style PyTorch model's greedy generation (tools/make_gpt2_fixtures_nanogpt.py) is the oracle. */
    @Test
    void greedyJsonEqualsNanoGptGenerateFromCkptPt() throws IOException {
        Path dir = Cli.GPT2_FIXTURES.resolve("nanogpt/f32");
        JsonNode expected = Cli.readJson(dir.resolve("expected.json")).get("generate");
        int[] prompt = Cli.ints(expected.get("prompt"));
        int[] ids = Cli.ints(expected.get("ids"));
        Cli.Result r = Cli.run("generate", "--model", dir.resolve("ckpt.pt").toString(), "--ids", Cli.ids(prompt),
                "--max-new-tokens", Integer.toString(ids.length), "--temperature", "0", "--json").assertSuccess();
        assertThat(Cli.ints(r.json().get("ids"))).containsExactly(ids);
    }

    @Test
    void withoutJsonTheIdsAreStreamedWhenThereIsNoTokenizer() throws IOException {
        Path dir = Cli.GPT2_FIXTURES.resolve("hf");
        JsonNode expected = Cli.readJson(dir.resolve("expected-f32.json")).get("generate");
        int[] ids = Cli.ints(expected.get("ids"));
        Cli.Result r = Cli.run("generate", "--model", dir.resolve("f32-safetensors").toString(), "--ids",
                Cli.ids(Cli.ints(expected.get("prompt"))), "--max-new-tokens", Integer.toString(ids.length),
                "--temperature", "0").assertSuccess();
        assertThat(r.out().strip().split(" ")).containsExactly(java.util.Arrays.stream(ids).mapToObj(Integer::toString)
                .toArray(String[]::new));
    }

    @Test
    void demoModelIsTheDefaultAndStreamsThePromptThenTheSameTextAsJson() {
        Cli.Result json = Cli.run("generate", "--prompt", "ROMEO:", "--temperature", "0", "--max-new-tokens", "24", "--json")
                .assertSuccess();
        String text = json.json().get("text").asText();
        int[] ids = Cli.ints(json.json().get("ids"));
        assertThat(text).startsWith("ROMEO:").hasSizeGreaterThan("ROMEO:".length() + 10);
        assertThat(ids).hasSizeBetween(1, 24);
        // the generated ids decode to the generated text (the tokenizer of the demo model is GPT-2's)
        Cli.Result decoded = Cli.run("tokenize", "--decode", Cli.ids(ids)).assertSuccess();
        assertThat("ROMEO:" + decoded.out().substring(0, decoded.out().length() - 1)).isEqualTo(text);

        Cli.Result streamed = Cli.run("generate", "--prompt", "ROMEO:", "--temperature", "0", "--max-new-tokens", "24")
                .assertSuccess();
        assertThat(streamed.out()).isEqualTo(text + "\n");
        assertThat(streamed.err()).isEmpty();
    }

    @Test
    void theSameSeedGivesTheSameTextAndSamplingOptionsAreValidated() {
        String[] args = {"generate", "--prompt", "JULIET:", "--max-new-tokens", "20", "--seed", "7", "--top-k", "50",
            "--top-p", "0.9", "--temperature", "1.0", "--json"};
        String first = Cli.run(args).assertSuccess().out();
        assertThat(Cli.run(args).assertSuccess().out()).isEqualTo(first);
        Cli.run("generate", "--prompt", "x", "--top-p", "1.5").assertOneLineError(1);
        Cli.run("generate", "--prompt", "x", "--temperature", "-1").assertOneLineError(1);
    }

    @Test
    void stopStringEndsTheTextBeforeIt() {
        Cli.Result free = Cli.run("generate", "--prompt", "ROMEO:", "--temperature", "0", "--max-new-tokens", "40", "--json")
                .assertSuccess();
        String generated = free.json().get("text").asText().substring("ROMEO:".length());
        assertThat(generated).as("the demo model's greedy text has a line break to stop at").contains("\n");
        Cli.Result stopped = Cli.run("generate", "--prompt", "ROMEO:", "--temperature", "0", "--max-new-tokens", "40",
                "--stop", "\\n", "--json").assertSuccess();
        String cut = stopped.json().get("text").asText().substring("ROMEO:".length());
        assertThat(cut).isEqualTo(generated.substring(0, generated.indexOf('\n')));
    }

    @Test
    void aTextPromptWithoutTokenizerIsAOneLineError() {
        Path model = Cli.GPT2_FIXTURES.resolve("hf/f32-safetensors");
        Cli.Result r = Cli.run("generate", "--model", model.toString(), "--prompt", "hello").assertOneLineError(1);
        assertThat(r.err()).contains("no tokenizer").contains("--ids");
    }

    @Test
    void idsOutsideTheVocabularyAreRefusedByName() {
        Path model = Cli.GPT2_FIXTURES.resolve("hf/f32-safetensors");
        Cli.Result r = Cli.run("generate", "--model", model.toString(), "--ids", "1,999999").assertOneLineError(1);
        assertThat(r.err()).contains("999999");
    }

    @Test
    void aPromptLongerThanTheContextIsRefusedBeforeAnythingIsPrinted() {
        String prompt = "ROMEO: " + "to be or not to be, ".repeat(60); // about 360 tokens; the demo model holds 256
        Cli.Result r = Cli.run("generate", "--prompt", prompt, "--max-new-tokens", "5").assertOneLineError(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("the prompt has ").contains("the model's context holds 256");
    }

    @Test
    void aGenerationStoppedByTheContextSaysSoWithoutVerbose() {
        int[] prompt = new int[254];
        java.util.Arrays.fill(prompt, 198); // "\n"
        Cli.Result r = Cli.run("generate", "--ids", Cli.ids(prompt), "--temperature", "0", "--max-new-tokens", "20", "--json")
                .assertSuccess();
        // 254 prompt tokens + 2 fed back fill 256 positions: the third token is the last one
        assertThat(Cli.ints(r.json().get("ids"))).hasSize(3);
        assertThat(r.err()).isEqualTo("vectorlm: stopped after 3 of 20 new tokens: the model's context of 256 tokens is full "
                + "(the prompt has 254)\n");

        Cli.Result roomy = Cli.run("generate", "--ids", Cli.ids(prompt), "--temperature", "0", "--max-new-tokens", "2")
                .assertSuccess();
        assertThat(roomy.err()).as("2 tokens fit: nothing to explain").isEmpty();
    }

    @Test
    void everyCommandWordsAnIdOutsideTheVocabularyTheSameWay() {
        String expected = "vectorlm: token id 50304 at index 1 is outside the vocabulary of 50304";
        assertThat(Cli.run("generate", "--ids", "198,50304").assertOneLineError(1).err()).startsWith(expected);
        assertThat(Cli.run("forward", "--ids", "198,50304").assertOneLineError(1).err()).startsWith(expected);
        assertThat(Cli.run("score", "--ids", "198,50304").assertOneLineError(1).err()).startsWith(expected);
        assertThat(Cli.run("tokenize", "--decode", "198,50257").assertOneLineError(1).err())
                .startsWith("vectorlm: token id 50257 at index 1 is outside the tokenizer's vocabulary of 50257");
    }

    @Test
    void verboseWithOneTokenSaysThereWasNoDecodeStep() {
        Cli.Result r = Cli.run("--verbose", "generate", "--prompt", "ROMEO:", "--max-new-tokens", "1", "--seed", "1")
                .assertSuccess();
        assertThat(r.err()).contains("no decode step").doesNotContain("0.0 tokens/s");
    }

    @Test
    void threadsOptionGivesTheSameGreedyIds() {
        String[] base = {"generate", "--prompt", "ROMEO:", "--temperature", "0", "--max-new-tokens", "12", "--json"};
        String one = Cli.run(concat(base, "--threads", "1")).assertSuccess().out();
        String three = Cli.run(concat(base, "--threads", "3")).assertSuccess().out();
        assertThat(three).isEqualTo(one);
        Cli.run(concat(base, "--threads", "0")).assertOneLineError(1);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
