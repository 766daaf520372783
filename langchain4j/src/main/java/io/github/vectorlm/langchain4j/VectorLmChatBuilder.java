package io.github.vectorlm.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import io.github.vectorlm.generation.ChatTemplate;
import java.util.List;
import java.util.Objects;

/**
 * What the VectorLM chat models are built from: {@link VectorLmBuilder}'s path and parameters (the
 * defaults of every request, which a request's own parameters override), the chat template, and
 * langchain4j's chat model listeners.
 *
 * @param <B> the concrete builder
 */
public abstract class VectorLmChatBuilder<B extends VectorLmChatBuilder<B>> extends VectorLmBuilder<B> {
    private ChatTemplate chatTemplate = ChatTemplate.PLAIN;
    private List<ChatModelListener> listeners = List.of();

    /** Only this package's builders extend it. */
    VectorLmChatBuilder() {
    }

    /**
     * How messages become the prompt; by default {@link ChatTemplate#PLAIN}, the template of
     * VectorLM's OpenAI-compatible server too. Its stop strings are added to every request's.
     *
     * @param template the template
     * @return this builder
     */
    public B chatTemplate(ChatTemplate template) {
        this.chatTemplate = Objects.requireNonNull(template, "template");
        return self();
    }

    /**
     * Listeners told of every request, response and error, as langchain4j's chat models do.
     *
     * @param listeners the listeners, or null for none
     * @return this builder
     */
    public B listeners(List<ChatModelListener> listeners) {
        this.listeners = listeners == null ? List.of() : List.copyOf(listeners);
        return self();
    }

    ChatTemplate template() {
        return chatTemplate;
    }

    List<ChatModelListener> chatListeners() {
        return listeners;
    }

    /** The builder's parameters as langchain4j chat request parameters, named for {@code modelName}. */
    VectorLmChatRequestParameters defaultParameters(String modelName) {
        GenerationSettings s = settings();
        return VectorLmChatRequestParameters.builder()
                .modelName(modelName)
                .temperature(s.temperature())
                .topK(s.topK())
                .topP(s.topP())
                .maxOutputTokens(s.maxTokens())
                .stopSequences(s.stopSequences())
                .frequencyPenalty(s.frequencyPenalty())
                .presencePenalty(s.presencePenalty())
                .seed(s.seed())
                .build();
    }
}
