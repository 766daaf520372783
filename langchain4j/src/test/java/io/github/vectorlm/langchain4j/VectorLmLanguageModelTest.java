package io.github.vectorlm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.SamplingOptions;
import io.github.vectorlm.generation.StopReason;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The language models through langchain4j's types, held to what {@code vectorlm generate} gives. */
class VectorLmLanguageModelTest {
    private static final String PROMPT = "ROMEO:";
    private static final int MAX_TOKENS = 40;
    private static LanguageModel oracle;
    private static VectorLmLanguageModel greedy;
    private static VectorLmStreamingLanguageModel streaming;

    @BeforeAll
    static void load() throws Exception {
        oracle = DemoModel.loadOracle();
        greedy = VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER).temperature(0.0).maxTokens(MAX_TOKENS).build();
        streaming = VectorLmStreamingLanguageModel.builder().modelPath(DemoModel.FOLDER).temperature(0.0)
                .maxTokens(MAX_TOKENS).build();
    }

    @AfterAll
    static void close() {
        greedy.close();
        streaming.close();
        oracle.close();
    }

    @Test
    void greedyTextIsWhatVectorlmGenerateGives() {
        GenerationResult expected = DemoModel.generate(oracle, PROMPT, GenerationOptions.greedy(MAX_TOKENS));

        Response<String> response = greedy.generate(PROMPT);

        assertThat(expected.text()).isNotBlank();
        assertThat(response.content()).isEqualTo(expected.text());
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(DemoModel.tokenizer(oracle).encode(PROMPT).length);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(MAX_TOKENS);
        assertThat(response.tokenUsage().totalTokenCount())
                .isEqualTo(response.tokenUsage().inputTokenCount() + MAX_TOKENS);
    }

    @Test
    void streamedPiecesJoinToTheTextOfTheCompletion() throws Exception {
        List<String> pieces = new ArrayList<>();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        streaming.generate(PROMPT, new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                pieces.add(token);
            }

            @Override
            public void onComplete(Response<String> response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Response<String> response = done.get(60, TimeUnit.SECONDS);

        assertThat(pieces).hasSizeGreaterThan(1).doesNotContain("");
        assertThat(String.join("", pieces)).isEqualTo(response.content());
        assertThat(response.content()).isEqualTo(greedy.generate(PROMPT).content());
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(MAX_TOKENS);
    }

    @Test
    void stopSequencesEndTheTextBeforeThemWithFinishReasonStop() {
        String unstopped = greedy.generate(PROMPT).content();
        String stop = "thee";
        int at = unstopped.indexOf(stop);
        assertThat(at).as("the greedy text must hold the stop sequence after its start").isPositive();

        try (VectorLmLanguageModel stopping = VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER)
                .temperature(0.0).maxTokens(MAX_TOKENS).stopSequences(stop).build()) {
            Response<String> response = stopping.generate(PROMPT);
            GenerationResult expected = DemoModel.generate(oracle, PROMPT,
                    GenerationOptions.greedy(MAX_TOKENS).withStopStrings(stop));

            assertThat(expected.stopReason()).isEqualTo(StopReason.STOP_STRING);
            assertThat(response.content()).isEqualTo(unstopped.substring(0, at)).isEqualTo(expected.text());
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(expected.ids().length);
        }
    }

    @Test
    void sampledTextWithEveryParameterIsWhatTheGeneratorGivesWithTheSameParameters() {
        SamplingOptions sampling = new SamplingOptions(0.9, 50, 0.95, 1234);
        GenerationOptions options = GenerationOptions.of(30, sampling).withStopStrings("\n\n").withPenalties(0.2, 1.2);
        GenerationResult expected = DemoModel.generate(oracle, PROMPT, options);

        try (VectorLmLanguageModel model = VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER)
                .temperature(0.9).topK(50).topP(0.95).seed(1234L).maxTokens(30).stopSequences("\n\n")
                .presencePenalty(0.2).frequencyPenalty(1.2).build()) {
            Response<String> response = model.generate(PROMPT);

            assertThat(response.content()).isEqualTo(expected.text());
            assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(expected.ids().length);
            assertThat(response.finishReason()).isEqualTo(Responses.finishReason(expected.stopReason()));
        }
        // each parameter matters here: without the penalties, with them swapped, with another seed the text differs
        for (GenerationOptions other : List.of(options.withPenalties(0, 0), options.withPenalties(1.2, 0.2),
                options.withSampling(sampling.withSeed(1235)), options.withSampling(sampling.withTopK(0)))) {
            assertThat(DemoModel.generate(oracle, PROMPT, other).text()).as(other.toString()).isNotEqualTo(expected.text());
        }
    }

    @Test
    void aFullContextEndsWithFinishReasonLength() {
        int context = oracle.contextLength();
        String prompt = "O ".repeat(context).substring(0, 2 * (context - 5));
        int promptTokens = DemoModel.tokenizer(oracle).encode(prompt).length;
        assertThat(promptTokens).isLessThan(context).isGreaterThan(context - 20);

        try (VectorLmLanguageModel model = VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER)
                .temperature(0.0).maxTokens(context).build()) {
            Response<String> response = model.generate(prompt);

            assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(context - promptTokens + 1);
        }
    }

    @Test
    void anExceptionTheHandlerThrowsEndsTheGenerationThroughOnError() throws Exception {
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        List<String> pieces = new ArrayList<>();
        streaming.generate(PROMPT, new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                pieces.add(token);
                throw new IllegalStateException("the handler's own failure");
            }

            @Override
            public void onComplete(Response<String> response) {
                error.complete(null);
            }

            @Override
            public void onError(Throwable e) {
                error.complete(e);
            }
        });
        assertThat(error.get(60, TimeUnit.SECONDS)).hasRootCauseMessage("the handler's own failure");
        assertThat(pieces).hasSize(1);
    }

    @Test
    void finishReasonsFollowWhyTheGenerationEnded() {
        assertThat(Responses.finishReason(StopReason.STOP_TOKEN)).isEqualTo(FinishReason.STOP);
        assertThat(Responses.finishReason(StopReason.STOP_STRING)).isEqualTo(FinishReason.STOP);
        assertThat(Responses.finishReason(StopReason.MAX_TOKENS)).isEqualTo(FinishReason.LENGTH);
        assertThat(Responses.finishReason(StopReason.CONTEXT_FULL)).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void eightThreadsAtOnceGetWhatSequentialCallsGet() throws Exception {
        String[] prompts = {"ROMEO:", "JULIET:", "KING RICHARD II:\nNo matter where;", "O", "First Citizen:",
            "What say you, my lord?", "MENENIUS:\nEither you must confess", "\n"};
        try (VectorLmLanguageModel sampling = VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER)
                .temperature(0.8).topK(40).seed(7L).maxTokens(24).build()) {
            List<Response<String>> sequential = new ArrayList<>();
            for (String p : prompts) {
                sequential.add(sampling.generate(p));
            }
            ExecutorService pool = Executors.newFixedThreadPool(prompts.length);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Response<String>>> concurrent = new ArrayList<>();
                for (String p : prompts) {
                    concurrent.add(pool.submit(() -> {
                        start.await();
                        return sampling.generate(p);
                    }));
                }
                start.countDown();
                for (int i = 0; i < prompts.length; i++) {
                    Response<String> got = concurrent.get(i).get(120, TimeUnit.SECONDS);
                    assertThat(got.content()).as(prompts[i]).isEqualTo(sequential.get(i).content());
                    assertThat(got.tokenUsage()).as(prompts[i]).isEqualTo(sequential.get(i).tokenUsage());
                    assertThat(got.finishReason()).as(prompts[i]).isEqualTo(sequential.get(i).finishReason());
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(sequential.stream().map(Response::content).distinct()).hasSize(prompts.length);
        }
    }

    @Test
    void tokenCountsAreTheTokenizers() {
        VectorLmTokenCountEstimator estimator = greedy.tokenCountEstimator();
        for (String text : List.of("", "ROMEO:", "To be, or not to be, that is the question", "héllo wörld 😀")) {
            assertThat(estimator.estimateTokenCountInText(text)).as(text)
                    .isEqualTo(DemoModel.tokenizer(oracle).encode(text).length);
        }
        assertThat(estimator.estimateTokenCountInText(PROMPT)).isEqualTo(greedy.generate(PROMPT).tokenUsage().inputTokenCount());
    }

    @Test
    void modelsOfOnePathShareOneLoadedModel() {
        int before = SharedModels.loadedCount();
        assertThat(before).as("this class's models hold the demo model").isPositive();
        try (VectorLmLanguageModel another = VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER).build();
                VectorLmChatModel chat = VectorLmChatModel.builder().modelPath(Path.of("../models/../models/gpt2-shakespeare")).build()) {
            assertThat(SharedModels.loadedCount()).isEqualTo(before);
            try (VectorLmLanguageModel ownPool = VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER)
                    .threadCount(1).temperature(0.0).maxTokens(MAX_TOKENS).build()) {
                assertThat(SharedModels.loadedCount()).as("another thread count is another model").isEqualTo(before + 1);
                assertThat(ownPool.generate(PROMPT).content()).as("results do not depend on the thread count")
                        .isEqualTo(greedy.generate(PROMPT).content());
            }
            assertThat(SharedModels.loadedCount()).as("the last lease closed unloads it").isEqualTo(before);
            assertThat(another.modelName()).isEqualTo("gpt2-shakespeare").isEqualTo(chat.modelName());
        }
    }

    @Test
    void aClosedModelRefusesCallsAndClosingTwiceIsHarmless() {
        VectorLmLanguageModel model = VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER).maxTokens(2).build();
        model.close();
        model.close();
        assertThatThrownBy(() -> model.generate(PROMPT)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(greedy.generate(PROMPT).content()).as("the others' model stays loaded").isNotEmpty();
    }

    @Test
    void badBuildersAndRequestsAreRefusedClearly() {
        assertThatThrownBy(() -> VectorLmLanguageModel.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelPath");
        assertThatThrownBy(() -> VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER).temperature(-1.0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> VectorLmLanguageModel.builder().modelPath(DemoModel.FOLDER).topP(0.0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top-p");
        assertThatThrownBy(() -> VectorLmLanguageModel.builder().modelPath(Path.of("no/such/model")).build())
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("no/such/model");
        assertThatThrownBy(() -> greedy.generate("")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> greedy.generate("O ".repeat(oracle.contextLength() + 1)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("context");
    }
}
