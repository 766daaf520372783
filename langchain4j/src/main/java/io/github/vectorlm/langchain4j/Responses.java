package io.github.vectorlm.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.StopReason;

/** A {@link GenerationResult} in langchain4j's terms. */
final class Responses {
    private Responses() {
    }

    /**
     * Why the generation ended: {@link FinishReason#STOP} at a stop sequence or the end-of-text
     * token, {@link FinishReason#LENGTH} at the token limit or a full context.
     */
    static FinishReason finishReason(StopReason reason) {
        return switch (reason) {
            case STOP_TOKEN, STOP_STRING -> FinishReason.STOP;
            case MAX_TOKENS, CONTEXT_FULL -> FinishReason.LENGTH;
        };
    }

    /**
     * The prompt's tokens in, every generated token out (including an end-of-text token and the
     * tokens of a stop sequence, which were generated although their text is not returned).
     */
    static TokenUsage tokenUsage(GenerationResult result) {
        return new TokenUsage(result.promptIds().length, result.ids().length);
    }

    /** The text, usage and finish reason of a completion. */
    static Response<String> completion(GenerationResult result) {
        return Response.from(result.text(), tokenUsage(result), finishReason(result.stopReason()));
    }

    /** The assistant's message, usage and finish reason of a chat answer. */
    static ChatResponse chat(GenerationResult result, String modelName) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(result.text()))
                .metadata(ChatResponseMetadata.builder()
                        .modelName(modelName)
                        .tokenUsage(tokenUsage(result))
                        .finishReason(finishReason(result.stopReason()))
                        .build())
                .build();
    }
}
