package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.ChatTemplate;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code POST /v1/chat/completions} request, checked: the messages rendered into one prompt by
 * the server's {@link ChatTemplate}.
 *
 * @param prompt the rendered prompt's ids
 * @param sampling the shared fields
 * @param maxTokens tokens to generate per choice ({@code max_completion_tokens} or {@code
 *     max_tokens}; by default the rest of the context)
 * @param logprobs alternatives per token ({@code top_logprobs} when {@code logprobs} is true, else
 *     0), -1 for none
 */
record ChatRequest(int[] prompt, SamplingRequest sampling, int maxTokens, int logprobs) {
    static ChatRequest parse(Params p, Serving serving) {
        List<ChatTemplate.Message> messages = messages(p.get("messages"));
        String text = serving.options.chatTemplate().render(messages);
        int[] prompt = serving.tokenizer.encode(text);
        SamplingRequest sampling = SamplingRequest.parse(p, serving.vocabSize, serving.options.maxChoices(),
                "max_completion_tokens", "max_tokens");
        int maxTokens;
        if (sampling.maxTokens() != null) {
            maxTokens = sampling.maxTokens();
            serving.checkContext(prompt.length, maxTokens, "messages",
                    p.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens");
        } else {
            serving.checkContext(prompt.length, 1, "messages", "messages");
            maxTokens = serving.contextLength - prompt.length;
        }
        boolean logprobs = p.bool("logprobs", false);
        int top = p.integer("top_logprobs", 0, 0, SamplingRequest.MAX_TOP_LOGPROBS);
        if (p.has("top_logprobs") && !logprobs) {
            throw ApiException.badParameter("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        if (p.has("tools") || p.has("functions")) {
            throw ApiException.badParameter(p.has("tools") ? "tools" : "functions",
                    "tool and function calling are not supported by this server");
        }
        return new ChatRequest(prompt, sampling, maxTokens, logprobs ? top : -1);
    }

    private static List<ChatTemplate.Message> messages(JsonNode array) {
        if (array == null) {
            throw ApiException.badParameter("messages", "'messages' is required");
        }
        if (!array.isArray() || array.isEmpty()) {
            throw ApiException.badParameter("messages", "'messages' must be a non-empty array of messages");
        }
        List<ChatTemplate.Message> messages = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.badParameter(where, "'" + where + "' must be an object with role and content");
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw ApiException.badParameter(where + ".role", "'" + where + ".role' must be a string");
            }
            ChatTemplate.Role r;
            try {
                r = ChatTemplate.Role.of(role.asText());
            } catch (IllegalArgumentException e) {
                throw ApiException.badParameter(where + ".role", e.getMessage());
            }
            messages.add(new ChatTemplate.Message(r, content(m.get("content"), where + ".content")));
        }
        return messages;
    }

    /** A message's text: a string, or an array of {@code {"type": "text", "text": ...}} parts. */
    private static String content(JsonNode content, String where) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                JsonNode type = part.get("type");
                JsonNode t = part.get("text");
                if (type == null || !"text".equals(type.asText()) || t == null || !t.isTextual()) {
                    throw ApiException.badParameter(where, "'" + where + "' parts must be {\"type\": \"text\", "
                            + "\"text\": ...}: this model reads text only");
                }
                text.append(t.asText());
            }
            return text.toString();
        }
        throw ApiException.badParameter(where, "'" + where + "' must be a string or an array of text parts, got "
                + Params.describe(content));
    }
}
