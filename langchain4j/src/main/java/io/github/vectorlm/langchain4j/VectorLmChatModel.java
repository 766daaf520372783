package io.github.vectorlm.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;

/**
 * A langchain4j {@link ChatModel} running a VectorLM model in this JVM. GPT-2 and GPT-NeoX are base
 * models: the messages become one plain transcript ({@link
 * io.github.vectorlm.generation.ChatTemplate#PLAIN}, the same prompt VectorLM's OpenAI-compatible
 * server builds from the same chat) that the model continues, stopping where it starts the next
 * turn.
 *
 * <pre>{@code
 * try (VectorLmChatModel chat = VectorLmChatModel.builder()
 *         .modelPath(Path.of("models/gpt2-shakespeare")).temperature(0.0).maxTokens(30).build()) {
 *     ChatResponse response = chat.chat(ChatRequest.builder()
 *             .messages(SystemMessage.from("You speak like Romeo."), UserMessage.from("Who are you?"))
 *             .stopSequences(List.of("."))
 *             .build());
 *     System.out.println(response.aiMessage().text() + " " + response.tokenUsage());
 * }
 * }</pre>
 *
 * <p><b>Parameters</b> honoured, from the builder or the request (which wins): temperature, top-p,
 * top-k, max output tokens, stop sequences (beside the template's), frequency and presence
 * penalties, and the seed of {@link VectorLmChatRequestParameters}. <b>Refused</b> with
 * {@link dev.langchain4j.exception.UnsupportedFeatureException} rather than ignored: tool
 * specifications, tool choice {@code REQUIRED}, the JSON response format (with or without a
 * schema), tool-result and custom messages, AI messages with tool calls, non-text user content,
 * and a model name other than this model's (its folder's name).
 *
 * <p>The AI message holds the text generated after the template's generation prompt, exactly (a
 * leading space included), cut before a stop sequence. Sharing, lifetime, usage and finish reasons
 * are as for {@link VectorLmLanguageModel}. Thread-safe.
 */
public final class VectorLmChatModel implements ChatModel, AutoCloseable {
    private final ModelLease lease;
    private final ChatPrompts prompts;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;

    private VectorLmChatModel(Builder builder) {
        this.lease = builder.lease();
        this.prompts = new ChatPrompts(builder.template(), lease.modelName());
        this.defaults = builder.defaultParameters(lease.modelName());
        this.listeners = builder.chatListeners();
    }

    /**
     * A builder; {@link Builder#modelPath} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers the chat in {@code request}, whose parameters langchain4j has merged over
     * {@link #defaultRequestParameters()}.
     *
     * @param request the messages and parameters
     * @return the answer, token usage and finish reason
     * @throws dev.langchain4j.exception.UnsupportedFeatureException for what this model refuses (see above)
     * @throws dev.langchain4j.exception.InvalidRequestException if a parameter is out of range or the
     *     prompt does not fit the model's context
     * @throws IllegalStateException if this model is closed
     */
    @Override
    public ChatResponse doChat(ChatRequest request) {
        ChatPrompts.Prepared chat = prompts.prepare(request);
        return Responses.chat(lease.generate(chat.prompt(), chat.options()), lease.modelName());
    }

    /**
     * The builder's parameters, the model's name and its seed included.
     *
     * @return the defaults of every request
     */
    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    /**
     * The builder's listeners.
     *
     * @return the listeners
     */
    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    /**
     * Counts tokens with this model's tokenizer, messages as this model's template renders them.
     *
     * @return the estimator
     */
    public VectorLmTokenCountEstimator tokenCountEstimator() {
        return new VectorLmTokenCountEstimator(lease.tokenizer(), prompts.template());
    }

    /**
     * The model's name: its folder's name.
     *
     * @return the name
     */
    public String modelName() {
        return lease.modelName();
    }

    /** Releases this model's hold on the shared model; the last one closed unloads it. Idempotent. */
    @Override
    public void close() {
        lease.close();
    }

    /** Builds a {@link VectorLmChatModel}; see {@link VectorLmChatBuilder} for the parameters. */
    public static final class Builder extends VectorLmChatBuilder<Builder> {
        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Loads the model, or shares the one already loaded from the same path.
         *
         * @return the model
         * @throws IllegalArgumentException if the model path is missing or a parameter is out of range
         * @throws java.io.UncheckedIOException if the model cannot be loaded
         */
        public VectorLmChatModel build() {
            return new VectorLmChatModel(this);
        }
    }
}
