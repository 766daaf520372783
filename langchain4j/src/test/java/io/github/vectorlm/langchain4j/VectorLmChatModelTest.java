package io.github.vectorlm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import io.github.vectorlm.generation.ChatTemplate;
import io.github.vectorlm.generation.ChatTemplate.Message;
import io.github.vectorlm.generation.ChatTemplate.Role;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.SamplingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chat models through langchain4j's types: the prompt of {@link ChatTemplate#PLAIN}, parameters, refusals. */
class VectorLmChatModelTest {
    private static final List<ChatMessage> CHAT = List.of(SystemMessage.from("You are Romeo."),
            UserMessage.from("Who art thou?"), AiMessage.from(" A lover."), UserMessage.from("Whom dost thou love?"));
    /** The same chat in the template's terms: the oracle's prompt. */
    private static final String PROMPT = ChatTemplate.PLAIN.render(List.of(new Message(Role.SYSTEM, "You are Romeo."),
            new Message(Role.USER, "Who art thou?"), new Message(Role.ASSISTANT, " A lover."),
            new Message(Role.USER, "Whom dost thou love?")));
    private static final int MAX_TOKENS = 60;
    private static LanguageModel oracle;
    private static VectorLmChatModel chat;
    private static VectorLmStreamingChatModel streaming;

    @BeforeAll
    static void load() throws Exception {
        oracle = DemoModel.loadOracle();
        chat = VectorLmChatModel.builder().modelPath(DemoModel.FOLDER).temperature(0.0).maxTokens(MAX_TOKENS).build();
        streaming = VectorLmStreamingChatModel.builder().modelPath(DemoModel.FOLDER).temperature(0.0)
                .maxTokens(MAX_TOKENS).build();
    }

    @AfterAll
    static void close() {
        chat.close();
        streaming.close();
        oracle.close();
    }

    private static GenerationOptions greedyChat(int maxTokens) {
        return GenerationOptions.greedy(maxTokens).withStopStrings(ChatTemplate.PLAIN.stopStrings().toArray(String[]::new));
    }

    @Test
    void greedyAnswerIsWhatVectorlmGenerateGivesThePlainTemplatesPrompt() {
        GenerationResult expected = DemoModel.generate(oracle, PROMPT, greedyChat(MAX_TOKENS));

        ChatResponse response = chat.chat(CHAT);

        assertThat(expected.text()).isNotBlank();
        assertThat(response.aiMessage().text()).isEqualTo(expected.text());
        assertThat(response.finishReason()).isEqualTo(Responses.finishReason(expected.stopReason()));
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(DemoModel.tokenizer(oracle).encode(PROMPT).length)
                .isEqualTo(chat.tokenCountEstimator().estimateTokenCountInMessages(CHAT));
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(expected.ids().length);
        assertThat(response.modelName()).isEqualTo("gpt2-shakespeare");
    }

    @Test
    void theTemplatesStopStringsEndTheAnswerWithFinishReasonStop() {
        // the demo model writes plays, not "User:" turns: a template that ends an answer at a blank line
        ChatTemplate blankLineEnds = new ChatTemplate(ChatTemplate.PLAIN.system(), ChatTemplate.PLAIN.user(),
                ChatTemplate.PLAIN.assistant(), ChatTemplate.PLAIN.generationPrompt(), List.of("\n\n"));
        GenerationResult unstopped = DemoModel.generate(oracle, PROMPT, GenerationOptions.greedy(MAX_TOKENS));
        int at = unstopped.text().indexOf("\n\n");
        assertThat(at).as("the greedy answer must hold a blank line").isPositive();

        try (VectorLmChatModel stopping = VectorLmChatModel.builder().modelPath(DemoModel.FOLDER).temperature(0.0)
                .maxTokens(MAX_TOKENS).chatTemplate(blankLineEnds).build()) {
            ChatResponse response = stopping.chat(CHAT);

            assertThat(response.aiMessage().text()).isEqualTo(unstopped.text().substring(0, at));
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @Test
    void requestStopSequencesAreAddedToTheTemplates() {
        String full = chat.chat(CHAT).aiMessage().text();
        String stop = full.strip().split("\\s+")[1];
        int at = full.indexOf(stop);
        assertThat(at).isPositive();

        ChatResponse response = chat.chat(ChatRequest.builder().messages(CHAT).stopSequences(List.of(stop)).build());

        assertThat(response.aiMessage().text()).isEqualTo(full.substring(0, at));
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void everyRequestParameterIsHonouredAsTheGeneratorHonoursIt() {
        GenerationOptions options = new GenerationOptions(40, new SamplingOptions(0.7, 40, 0.9, 99), null,
                List.of("!", "\nUser:", "\nSystem:"), 0.0, 1.5, Map.of(), -1);
        GenerationResult expected = DemoModel.generate(oracle, PROMPT, options);

        ChatResponse response = chat.chat(ChatRequest.builder().messages(CHAT)
                .parameters(VectorLmChatRequestParameters.builder().temperature(0.7).topK(40).topP(0.9).seed(99L)
                        .maxOutputTokens(40).stopSequences("!").presencePenalty(0.0).frequencyPenalty(1.5).build())
                .build());

        assertThat(response.aiMessage().text()).isEqualTo(expected.text());
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(expected.ids().length);
        assertThat(response.finishReason()).isEqualTo(Responses.finishReason(expected.stopReason()));
        // each parameter matters here: with another seed, top-k, top-p, or the penalties swapped the answer differs
        SamplingOptions sampling = options.sampling();
        for (GenerationOptions other : List.of(options.withSampling(sampling.withSeed(100)),
                options.withSampling(sampling.withTopK(0)), options.withSampling(sampling.withTopP(1)),
                options.withPenalties(1.5, 0.0))) {
            assertThat(DemoModel.generate(oracle, PROMPT, other).text()).as(other.toString()).isNotEqualTo(expected.text());
        }
    }

    @Test
    void theBuildersParametersAreTheDefaultsARequestOverrides() {
        try (VectorLmChatModel seeded = VectorLmChatModel.builder().modelPath(DemoModel.FOLDER).temperature(1.0)
                .topK(20).seed(5L).maxTokens(15).build()) {
            GenerationResult expected = DemoModel.generate(oracle, PROMPT, new GenerationOptions(15,
                    new SamplingOptions(1.0, 20, 1.0, 5), null, ChatTemplate.PLAIN.stopStrings()));
            assertThat(seeded.chat(CHAT).aiMessage().text()).isEqualTo(expected.text());

            // a plain request's temperature 0 overrides the builder's 1.0: greedy
            ChatResponse greedy = seeded.chat(ChatRequest.builder().messages(CHAT).temperature(0.0).build());
            assertThat(greedy.aiMessage().text()).isEqualTo(DemoModel.generate(oracle, PROMPT, greedyChat(15)).text());
            assertThat(seeded.defaultRequestParameters()).isInstanceOfSatisfying(VectorLmChatRequestParameters.class,
                    p -> assertThat(p.seed()).isEqualTo(5L));
        }
    }

    @Test
    void streamedPiecesJoinToTheAnswer() throws Exception {
        List<String> pieces = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(CHAT, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partialResponse) {
                pieces.add(partialResponse);
            }

            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                done.complete(completeResponse);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(60, TimeUnit.SECONDS);

        assertThat(pieces).hasSizeGreaterThan(1).doesNotContain("");
        assertThat(String.join("", pieces)).isEqualTo(response.aiMessage().text()).isEqualTo(chat.chat(CHAT).aiMessage().text());
        assertThat(response.tokenUsage()).isEqualTo(chat.chat(CHAT).tokenUsage());
        assertThat(response.finishReason()).isEqualTo(chat.chat(CHAT).finishReason());
    }

    @Test
    void cancellingThroughTheStreamingHandleStopsTheAnswer() throws Exception {
        List<String> pieces = new ArrayList<>();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        streaming.chat(ChatRequest.builder().messages(CHAT).maxOutputTokens(200).stopSequences(List.of("\u0000")).build(),
                new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                        pieces.add(partial.text());
                        if (pieces.size() == 3) {
                            context.streamingHandle().cancel();
                            outcome.complete("cancelled");
                        }
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse completeResponse) {
                        outcome.complete(completeResponse);
                    }

                    @Override
                    public void onError(Throwable error) {
                        outcome.complete(error);
                    }
                });
        assertThat(outcome.get(60, TimeUnit.SECONDS)).isEqualTo("cancelled");
        Thread.sleep(500); // the engine's next passes: nothing more may arrive
        assertThat(pieces).hasSize(3);
    }

    @Test
    void eightThreadsChattingAtOnceGetWhatSequentialCallsGet() throws Exception {
        int threads = 8;
        List<ChatRequest> requests = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            List<ChatMessage> messages = new ArrayList<>(CHAT);
            messages.add(AiMessage.from(" Juliet."));
            messages.add(UserMessage.from("And what of " + List.of("Tybalt", "Mercutio", "the Nurse", "Verona").get(i % 4) + "?"));
            requests.add(ChatRequest.builder().messages(messages).parameters(VectorLmChatRequestParameters.builder()
                    .temperature(0.8).topP(0.9).seed(1000L + i).maxOutputTokens(20).build()).build());
        }
        List<ChatResponse> sequential = new ArrayList<>();
        for (ChatRequest r : requests) {
            sequential.add(chat.chat(r));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<ChatResponse>> concurrent = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                ChatRequest r = requests.get(i);
                boolean stream = i % 2 == 1; // half of them through the streaming model, which shares the engine
                concurrent.add(pool.submit(() -> {
                    start.await();
                    if (!stream) {
                        return chat.chat(r);
                    }
                    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
                    streaming.chat(r, new StreamingChatResponseHandler() {
                        @Override
                        public void onCompleteResponse(ChatResponse completeResponse) {
                            done.complete(completeResponse);
                        }

                        @Override
                        public void onError(Throwable error) {
                            done.completeExceptionally(error);
                        }
                    });
                    return done.get(120, TimeUnit.SECONDS);
                }));
            }
            start.countDown();
            for (int i = 0; i < threads; i++) {
                ChatResponse got = concurrent.get(i).get(120, TimeUnit.SECONDS);
                assertThat(got.aiMessage()).as("request " + i).isEqualTo(sequential.get(i).aiMessage());
                assertThat(got.tokenUsage()).as("request " + i).isEqualTo(sequential.get(i).tokenUsage());
                assertThat(got.finishReason()).as("request " + i).isEqualTo(sequential.get(i).finishReason());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sequential.stream().map(r -> r.aiMessage().text()).distinct()).hasSize(threads);
    }

    @Test
    void aBlockingCallFromInsideAHandlerIsRefusedInsteadOfWaitingForever() throws Exception {
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        streaming.chat(ChatRequest.builder().messages(CHAT).maxOutputTokens(3).build(), new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                try {
                    chat.chat(CHAT); // same path, same engine: its thread is the one running this handler
                    refused.complete(null);
                } catch (RuntimeException e) {
                    refused.complete(e);
                }
            }

            @Override
            public void onError(Throwable error) {
                refused.complete(error);
            }
        });
        assertThat(refused.get(60, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("streaming handlers would wait forever");
        assertThat(chat.chat(ChatRequest.builder().messages(CHAT).maxOutputTokens(3).build()).tokenUsage().outputTokenCount())
                .as("outside a handler the same call runs").isEqualTo(3);
    }

    @Test
    void unsupportedFeaturesAreRefusedNotIgnored() {
        ToolSpecification tool = ToolSpecification.builder().name("weather").description("the weather").build();
        JsonSchema schema = JsonSchema.builder().name("answer")
                .rootElement(JsonObjectSchema.builder().addStringProperty("text").build()).build();
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("1").name("weather").arguments("{}").build();
        List<ChatRequest> refused = List.of(
                ChatRequest.builder().messages(CHAT).toolSpecifications(tool).build(),
                ChatRequest.builder().messages(CHAT).toolChoice(ToolChoice.REQUIRED).build(),
                ChatRequest.builder().messages(CHAT).responseFormat(ResponseFormat.JSON).build(),
                ChatRequest.builder().messages(CHAT).responseFormat(ResponseFormat.builder()
                        .type(dev.langchain4j.model.chat.request.ResponseFormatType.JSON).jsonSchema(schema).build()).build(),
                ChatRequest.builder().messages(CHAT).modelName("gpt-4o").build(),
                ChatRequest.builder().messages(UserMessage.from(new TextContent("What is this?"),
                        new ImageContent("https://example.com/a.png"))).build(),
                ChatRequest.builder().messages(UserMessage.from("weather?"), AiMessage.from(call),
                        ToolExecutionResultMessage.from(call, "sunny")).build());
        for (ChatRequest request : refused) {
            assertThatThrownBy(() -> chat.chat(request)).as(request.toString())
                    .isInstanceOf(UnsupportedFeatureException.class);
            assertThatThrownBy(() -> streaming.chat(request, failOnAnyCall())).as(request.toString())
                    .isInstanceOf(UnsupportedFeatureException.class);
        }
        assertThatThrownBy(() -> chat.tokenCountEstimator().estimateTokenCountInMessage(ToolExecutionResultMessage.from(call, "x")))
                .isInstanceOf(UnsupportedFeatureException.class);
        // what is supported passes: no tools with tool choice AUTO or NONE, the text response format, our own name
        for (Consumer<ChatRequest.Builder> accepted : List.<Consumer<ChatRequest.Builder>>of(b -> b.toolChoice(ToolChoice.AUTO),
                b -> b.toolChoice(ToolChoice.NONE), b -> b.responseFormat(ResponseFormat.TEXT),
                b -> b.modelName("gpt2-shakespeare"))) {
            ChatRequest.Builder b = ChatRequest.builder().messages(CHAT).maxOutputTokens(2);
            accepted.accept(b);
            assertThat(chat.chat(b.build()).tokenUsage().outputTokenCount()).isEqualTo(2);
        }
    }

    @Test
    void parametersOutOfRangeAreInvalidRequests() {
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(CHAT).temperature(-0.5).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(CHAT).topP(1.5).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("top-p");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(CHAT).maxOutputTokens(-1).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("max new tokens");
        assertThatThrownBy(() -> chat.chat(UserMessage.from("O ".repeat(oracle.contextLength()))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("context");
    }

    @Test
    void tokenCountsOfMessagesAreThoseOfThePromptTheyMake() {
        VectorLmTokenCountEstimator estimator = streaming.tokenCountEstimator();
        UserMessage hello = UserMessage.from("Hello there");
        assertThat(estimator.estimateTokenCountInMessage(hello))
                .isEqualTo(DemoModel.tokenizer(oracle).encode("User: Hello there\n\nAssistant:").length);
        assertThat(estimator.estimateTokenCountInMessages(CHAT)).isEqualTo(DemoModel.tokenizer(oracle).encode(PROMPT).length);
        assertThat(estimator.estimateTokenCountInMessages(List.of())).isZero();
        assertThat(estimator.estimateTokenCountInText("Whom dost thou love?"))
                .isEqualTo(DemoModel.tokenizer(oracle).encode("Whom dost thou love?").length);
    }

    private static StreamingChatResponseHandler failOnAnyCall() {
        return new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse completeResponse) {
                throw new AssertionError("a refused request completed");
            }

            @Override
            public void onError(Throwable error) {
                throw new AssertionError("a refused request reached onError", error);
            }
        };
    }
}
