package io.github.vectorlm.langchain4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.TokenCountEstimator;
import io.github.vectorlm.generation.ChatTemplate;
import io.github.vectorlm.generation.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Counts tokens exactly, with a VectorLM model's own tokenizer. Messages are counted as the chat
 * model's template renders them into a prompt, generation prompt included: the count of a chat's
 * messages is the input token count its chat response reports. Get one from a model
 * ({@code tokenCountEstimator()}). Thread-safe.
 */
public final class VectorLmTokenCountEstimator implements TokenCountEstimator {
    private final Tokenizer tokenizer;
    private final ChatTemplate template;

    /**
     * An estimator with {@code tokenizer}, counting messages as {@code template} renders them.
     *
     * @param tokenizer the model's tokenizer
     * @param template the chat template
     */
    public VectorLmTokenCountEstimator(Tokenizer tokenizer, ChatTemplate template) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = Objects.requireNonNull(template, "template");
    }

    /**
     * The tokens of {@code text}.
     *
     * @param text the text
     * @return its token count
     */
    @Override
    public int estimateTokenCountInText(String text) {
        return tokenizer.encode(text).length;
    }

    /**
     * The tokens of the prompt a chat of this one message would be.
     *
     * @param message the message
     * @return the prompt's token count
     * @throws dev.langchain4j.exception.UnsupportedFeatureException for a message the chat models refuse
     */
    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
        return estimateTokenCountInMessages(List.of(message));
    }

    /**
     * The tokens of the prompt a chat of these messages would be (0 for no messages).
     *
     * @param messages the messages
     * @return the prompt's token count
     * @throws dev.langchain4j.exception.UnsupportedFeatureException for a message the chat models refuse
     */
    @Override
    public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
        List<ChatMessage> list = new ArrayList<>();
        messages.forEach(list::add);
        if (list.isEmpty()) {
            return 0;
        }
        return estimateTokenCountInText(template.render(ChatPrompts.messages(list)));
    }
}
