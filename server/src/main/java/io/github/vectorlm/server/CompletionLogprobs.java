package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vectorlm.generation.TokenLogprobs;

/**
 * The {@code logprobs} object of a completion choice, OpenAI's legacy shape: parallel arrays
 * {@code tokens}, {@code token_logprobs}, {@code top_logprobs} (token text → log-probability)
 * and {@code text_offset} (where each token starts in the choice's text).
 */
final class CompletionLogprobs {
    private final ObjectNode json = JsonNodeFactory.instance.objectNode();
    private final ArrayNode tokens = json.putArray("tokens");
    private final ArrayNode tokenLogprobs = json.putArray("token_logprobs");
    private final ArrayNode topLogprobs = json.putArray("top_logprobs");
    private final ArrayNode textOffset = json.putArray("text_offset");
    private final Serving serving;

    CompletionLogprobs(Serving serving) {
        this.serving = serving;
    }

    /** A token with no log-probability: the first of an echoed prompt. */
    void addUnscored(int id, int offset) {
        tokens.add(serving.tokenText(id));
        tokenLogprobs.addNull();
        topLogprobs.addNull();
        textOffset.add(offset);
    }

    /** A token and its log-probabilities. */
    void add(TokenLogprobs lp, int offset) {
        tokens.add(serving.tokenText(lp.id()));
        tokenLogprobs.add(lp.logprob());
        ObjectNode top = topLogprobs.addObject();
        int[] ids = lp.topIds();
        double[] values = lp.topLogprobs();
        for (int i = 0; i < ids.length; i++) {
            String text = serving.tokenText(ids[i]);
            if (!top.has(text)) { // two ids of one text: the likelier one, as it comes first
                top.put(text, values[i]);
            }
        }
        textOffset.add(offset);
    }

    boolean isEmpty() {
        return tokens.isEmpty();
    }

    ObjectNode json() {
        return json;
    }
}
