package io.github.vectorlm.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;

/**
 * A langchain4j {@link StreamingChatModel} running a VectorLM model in this JVM: the answer's text
 * is handed over as it is generated. Prompt, parameters honoured and refused are as for {@link
 * VectorLmChatModel}; sharing and lifetime as for {@link VectorLmLanguageModel}.
 *
 * <p>The partial responses, joined, are exactly the text of the AI message given to {@code
 * onCompleteResponse} (none is empty). Each comes with a context whose streaming handle cancels the
 * generation; after a cancel the handler hears nothing more. The handler is called on the engine's
 * thread, which runs every sequence of the model: it should return quickly. A blocking chat or
 * generation of a VectorLM model of the same path, called from inside it, throws {@code
 * IllegalStateException} (it would wait for that very thread); a streaming one is fine. A request
 * this model refuses throws from {@code chat} at once; a failure while generating (an exception the
 * handler threw included) goes to {@code onError}.
 */
public final class VectorLmStreamingChatModel implements StreamingChatModel, AutoCloseable {
    private final ModelLease lease;
    private final ChatPrompts prompts;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;

    private VectorLmStreamingChatModel(Builder builder) {
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
     * Starts answering the chat in {@code request} and returns.
     *
     * @param request the messages and parameters, merged over {@link #defaultRequestParameters()}
     * @param handler receives the answer as it is generated, then the complete response or the error
     * @throws dev.langchain4j.exception.UnsupportedFeatureException for what this model refuses
     * @throws dev.langchain4j.exception.InvalidRequestException if a parameter is out of range or the
     *     prompt does not fit the model's context
     * @throws IllegalStateException if this model is closed
     */
    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        ChatPrompts.Prepared chat = prompts.prepare(request);
        CancellableStream stream = new CancellableStream();
        PartialResponseContext context = new PartialResponseContext(stream);
        var future = lease.submit(chat.prompt(), chat.options(), (id, text) -> {
            if (!text.isEmpty() && !stream.isCancelled()) {
                lease.callHandler(() -> handler.onPartialResponse(new PartialResponse(text), context));
            }
        });
        stream.attach(future);
        future.whenComplete((result, error) -> lease.callHandler(() -> {
            if (stream.isCancelled()) {
                return;
            }
            if (error == null) {
                handler.onCompleteResponse(Responses.chat(result, lease.modelName()));
            } else {
                handler.onError(ModelLease.failure(error));
            }
        }));
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

    /**
     * Releases this model's hold on the shared model; the last one closed unloads it, and a
     * generation still running then ends with {@code onError}. Idempotent.
     */
    @Override
    public void close() {
        lease.close();
    }

    /** Builds a {@link VectorLmStreamingChatModel}; see {@link VectorLmChatBuilder} for the parameters. */
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
        public VectorLmStreamingChatModel build() {
            return new VectorLmStreamingChatModel(this);
        }
    }
}
