package io.github.vectorlm.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import io.github.vectorlm.generation.ChatTemplate;
import io.github.vectorlm.generation.GenerationOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a langchain4j chat request into a prompt and generation options, refusing with
 * {@link UnsupportedFeatureException} what a base model run this way cannot do: tools, a JSON
 * response format, non-text content, another model's name.
 *
 * @param template renders the messages
 * @param modelName the model's own name, the only one a request may name
 */
record ChatPrompts(ChatTemplate template, String modelName) {

    /** A request made ready for the engine. */
    record Prepared(String prompt, GenerationOptions options) {
    }

    /**
     * The prompt and options for {@code request}, whose parameters are already merged with the
     * model's defaults.
     *
     * @throws UnsupportedFeatureException for tools, a JSON response format, non-text content or
     *     tool messages, or a request for another model
     * @throws InvalidRequestException if a parameter is out of its range
     */
    Prepared prepare(ChatRequest request) {
        ChatRequestParameters p = request.parameters();
        refuseUnsupported(p);
        String prompt = template.render(messages(request.messages()));
        GenerationSettings settings = new GenerationSettings(p.temperature(), p.topK(), p.topP(), p.maxOutputTokens(),
                p.stopSequences(), p.frequencyPenalty(), p.presencePenalty(),
                p instanceof VectorLmChatRequestParameters v ? v.seed() : null);
        try {
            return new Prepared(prompt, settings.toOptions(template.stopStrings()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    private void refuseUnsupported(ChatRequestParameters p) {
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("tools are not supported: VectorLM runs base models (GPT-2, "
                    + "GPT-NeoX) that were not trained to call tools; " + p.toolSpecifications().size()
                    + " tool specification(s) given");
        }
        if (p.toolChoice() == ToolChoice.REQUIRED) {
            throw new UnsupportedFeatureException("tool choice REQUIRED is not supported: this model calls no tools");
        }
        if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("the JSON response format"
                    + (p.responseFormat().jsonSchema() != null ? " with a JSON schema" : "")
                    + " is not supported: VectorLM does not constrain generation to JSON");
        }
        if (p.modelName() != null && !p.modelName().equals(modelName)) {
            throw new UnsupportedFeatureException("this chat model runs \"" + modelName
                    + "\" and cannot switch to the model \"" + p.modelName() + "\" the request names");
        }
    }

    /**
     * The messages in the chat template's terms: system, user (text only; several text parts are
     * joined with a newline) and AI messages (their text).
     *
     * @throws UnsupportedFeatureException for tool messages, an AI message that requests tools,
     *     custom messages, and user content other than text
     */
    static List<ChatTemplate.Message> messages(List<ChatMessage> messages) {
        List<ChatTemplate.Message> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            out.add(switch (m) {
                case SystemMessage s -> new ChatTemplate.Message(ChatTemplate.Role.SYSTEM, s.text());
                case UserMessage u -> new ChatTemplate.Message(ChatTemplate.Role.USER, userText(u));
                case AiMessage a -> new ChatTemplate.Message(ChatTemplate.Role.ASSISTANT, aiText(a));
                default -> throw new UnsupportedFeatureException(m.type() + " messages are not supported: "
                        + "VectorLM chat models take system, user and AI messages of text");
            });
        }
        return out;
    }

    private static String userText(UserMessage message) {
        List<String> parts = new ArrayList<>();
        for (Content c : message.contents()) {
            if (!(c instanceof TextContent t)) {
                throw new UnsupportedFeatureException(c.type() + " content is not supported: VectorLM models read text only");
            }
            parts.add(t.text());
        }
        return String.join("\n", parts);
    }

    private static String aiText(AiMessage message) {
        if (message.hasToolExecutionRequests()) {
            throw new UnsupportedFeatureException("AI messages with tool execution requests are not supported: "
                    + "this model calls no tools");
        }
        return message.text() == null ? "" : message.text();
    }
}
