package io.github.vectorlm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import io.github.vectorlm.generation.ChatTemplate;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.TokenListener;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the server on the demo model. */
class OpenAiSdkTest {
    private static DemoServer demo;
    private static OpenAIClient client;
    private static Generator generator;

    @BeforeAll
    static void start() throws Exception {
        demo = new DemoServer();
        client = OpenAIOkHttpClient.builder().baseUrl(demo.baseUrl() + "/v1").apiKey("unused").maxRetries(0).build();
        generator = new Generator(demo.model);
    }

    @AfterAll
    static void stop() {
        client.close();
        demo.close();
    }

    private static CompletionCreateParams.Builder completion(String prompt, long maxTokens) {
        return CompletionCreateParams.builder().model(DemoServer.MODEL_NAME).prompt(prompt).maxTokens(maxTokens);
    }

    @Test
    void greedyCompletionIsWhatTheGeneratorGives() {
        Completion c = client.completions().create(completion("ROMEO:", 30).temperature(0.0).build());
        GenerationResult expected = generator.generate("ROMEO:", GenerationOptions.greedy(30), TokenListener.NONE);

        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().getFirst().text()).isEqualTo(expected.text()).isNotEmpty();
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
        assertThat(c.model()).isEqualTo(DemoServer.MODEL_NAME);
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(expected.promptIds().length);
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(30);
    }

    @Test
    void seededSamplingIsWhatTheGeneratorGivesWithTheSameSeed() {
        Completion c = client.completions().create(completion("JULIET:", 40).temperature(0.8).topP(0.95).seed(1234)
                .putAdditionalBodyProperty("top_k", JsonValue.from(200)).build());
        GenerationResult expected = generator.generate("JULIET:",
                GenerationOptions.of(40, new SamplingOptions(0.8, 200, 0.95, 1234)), TokenListener.NONE);

        assertThat(c.choices().getFirst().text()).isEqualTo(expected.text());
        Completion other = client.completions().create(completion("JULIET:", 40).temperature(0.8).seed(99).build());
        assertThat(other.choices().getFirst().text()).isNotEqualTo(expected.text());
    }

    @Test
    void streamedCompletionJoinsToTheSameText() {
        String whole = client.completions().create(completion("KING RICHARD II:", 25).temperature(0.0).build())
                .choices().getFirst().text();
        StringBuilder streamed = new StringBuilder();
        String finish = null;
        try (StreamResponse<Completion> s = client.completions().createStreaming(
                completion("KING RICHARD II:", 25).temperature(0.0).build())) {
            for (Completion chunk : (Iterable<Completion>) s.stream()::iterator) {
                for (CompletionChoice choice : chunk.choices()) {
                    streamed.append(choice.text());
                    if (!choice._finishReason().isNull() && !choice._finishReason().isMissing()) {
                        finish = choice.finishReason().asString();
                    }
                }
            }
        }
        assertThat(streamed.toString()).isEqualTo(whole);
        assertThat(finish).isEqualTo("length");
    }

    @Test
    void echoedLogprobsAgreeWithTheScorer() {
        String text = "First Citizen:\nBefore we proceed any further, hear me speak.";
        Completion c = client.completions().create(completion(text, 0).echo(true).logprobs(3).build());
        CompletionChoice.Logprobs lp = c.choices().getFirst().logprobs().orElseThrow();
        int[] ids = demo.model.tokenizer().orElseThrow().encode(text);
        List<Double> values = lp.tokenLogprobs().orElseThrow();

        assertThat(c.choices().getFirst().text()).isEqualTo(text);
        assertThat(lp.tokens().orElseThrow()).hasSize(ids.length);
        assertThat(values.getFirst()).isNull();
        double mean = values.subList(1, values.size()).stream().mapToDouble(Double::doubleValue).sum() / (ids.length - 1);
        Scorer.Score score = new Scorer(demo.model).score(ids);
        assertThat(-mean).isCloseTo(score.loss(), within(1e-4));
        for (int i = 1; i < ids.length; i++) {
            CompletionChoice.Logprobs.TopLogprob top = lp.topLogprobs().orElseThrow().get(i);
            assertThat(top._additionalProperties()).hasSizeBetween(1, 3);
        }
    }

    @Test
    void generatedLogprobsComeWithEveryToken() {
        Completion c = client.completions().create(completion("ROMEO:", 12).temperature(0.0).logprobs(2).build());
        CompletionChoice.Logprobs lp = c.choices().getFirst().logprobs().orElseThrow();
        GenerationResult expected = generator.generate("ROMEO:", GenerationOptions.greedy(12).withLogprobs(2),
                TokenListener.NONE);

        assertThat(lp.tokenLogprobs().orElseThrow()).hasSize(12);
        for (int i = 0; i < 12; i++) {
            assertThat(lp.tokenLogprobs().orElseThrow().get(i)).isCloseTo(expected.logprobs().get(i).logprob(), within(1e-9));
        }
        assertThat(String.join("", lp.tokens().orElseThrow())).isEqualTo(c.choices().getFirst().text());
    }

    @Test
    void logitBiasAndIgnoreEos() {
        int eot = demo.model.tokenizer().orElseThrow().endOfText().orElseThrow();
        CompletionCreateParams.LogitBias forceEot = CompletionCreateParams.LogitBias.builder()
                .putAdditionalProperty(Integer.toString(eot), JsonValue.from(100)).build();
        Completion stopped = client.completions().create(completion("ROMEO:", 5).temperature(0.0).logitBias(forceEot)
                .build());
        assertThat(stopped.choices().getFirst().finishReason()).isEqualTo(CompletionChoice.FinishReason.STOP);
        assertThat(stopped.usage().orElseThrow().completionTokens()).isEqualTo(1);

        Completion past = client.completions().create(completion("ROMEO:", 5).temperature(0.0).logitBias(forceEot)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build());
        assertThat(past.choices().getFirst().finishReason()).isEqualTo(CompletionChoice.FinishReason.LENGTH);
        assertThat(past.usage().orElseThrow().completionTokens()).isEqualTo(5);
    }

    @Test
    void chatIsTheTemplatesPromptContinued() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(DemoServer.MODEL_NAME)
                .addSystemMessage("You speak in verse.").addUserMessage("Who art thou?").maxCompletionTokens(40)
                .temperature(0.0).build();
        ChatCompletion chat = client.chat().completions().create(params);
        String prompt = ChatTemplate.PLAIN.render(List.of(
                new ChatTemplate.Message(ChatTemplate.Role.SYSTEM, "You speak in verse."),
                new ChatTemplate.Message(ChatTemplate.Role.USER, "Who art thou?")));
        GenerationResult expected = generator.generate(prompt, GenerationOptions.greedy(40)
                .withStopStrings(ChatTemplate.PLAIN.stopStrings().toArray(String[]::new)), TokenListener.NONE);

        assertThat(chat.choices().getFirst().message().content()).contains(expected.text());
        assertThat(chat.choices().getFirst().finishReason().asString())
                .isEqualTo(expected.stopReason() == io.github.vectorlm.generation.StopReason.MAX_TOKENS ? "length" : "stop");

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo(expected.text());
    }

    @Test
    void modelsListsTheServedModelAndOthersAre404() {
        assertThat(client.models().list().items()).extracting(m -> m.id()).containsExactly(DemoServer.MODEL_NAME);
        assertThatThrownBy(() -> client.completions().create(CompletionCreateParams.builder().model("gpt-4")
                .prompt("x").build()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("gpt-4");
    }

    @Test
    void aServerWithAKeyRefusesTheWrongOne() throws Exception {
        try (DemoServer keyed = new DemoServer(2, o -> o.withApiKey("s3cret"))) {
            String url = keyed.baseUrl() + "/v1";
            OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl(url).apiKey("guess").maxRetries(0).build();
            OpenAIClient right = OpenAIOkHttpClient.builder().baseUrl(url).apiKey("s3cret").maxRetries(0).build();
            try {
                assertThatThrownBy(() -> wrong.completions().create(completion("A", 2).build()))
                        .isInstanceOf(UnauthorizedException.class);
                assertThat(right.completions().create(completion("A", 2).build()).choices()).hasSize(1);
            } finally {
                wrong.close();
                right.close();
            }
        }
    }
}
