package io.github.vectorlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code POST /v1/completions} request, checked.
 *
 * @param prompts the prompts' ids ({@code prompt}: a string, an array of strings, an array of
 *     token ids or an array of arrays of them; an empty string is {@code <|endoftext|>}, as OpenAI
 *     takes it)
 * @param sampling the shared fields
 * @param maxTokens tokens to generate per choice ({@code max_tokens}, default 16 as OpenAI's)
 * @param echo whether each choice's text and log-probabilities start with its prompt's
 * @param logprobs alternatives per token ({@code logprobs}), -1 for none
 */
record CompletionRequest(List<int[]> prompts, SamplingRequest sampling, int maxTokens, boolean echo, int logprobs) {
    /** OpenAI's default {@code max_tokens} for completions. */
    static final int DEFAULT_MAX_TOKENS = 16;

    static CompletionRequest parse(Params p, Serving serving) {
        List<int[]> prompts = prompts(p.get("prompt"), serving.tokenizer, serving.vocabSize);
        SamplingRequest sampling = SamplingRequest.parse(p, serving.vocabSize, serving.options.maxChoices(), "max_tokens");
        int maxTokens = sampling.maxTokens() == null ? DEFAULT_MAX_TOKENS : sampling.maxTokens();
        if ((long) prompts.size() * sampling.n() > serving.options.maxChoices()) {
            throw ApiException.badParameter("n", prompts.size() + " prompts × n = " + sampling.n() + " is more than the "
                    + serving.options.maxChoices() + " choices one request may ask for");
        }
        if (p.has("best_of") && p.integer("best_of", 1, 1, serving.options.maxChoices()) != sampling.n()) {
            throw ApiException.badParameter("best_of", "'best_of' other than n is not supported");
        }
        if (!p.string("suffix", "").isEmpty()) {
            throw ApiException.badParameter("suffix", "'suffix' is not supported: GPT-2 and GPT-NeoX have no infill");
        }
        boolean echo = p.bool("echo", false);
        int logprobs = p.integer("logprobs", -1, 0, SamplingRequest.MAX_TOP_LOGPROBS);
        for (int[] prompt : prompts) {
            serving.checkContext(prompt.length, maxTokens, "prompt", "max_tokens");
        }
        return new CompletionRequest(prompts, sampling, maxTokens, echo, logprobs);
    }

    private static List<int[]> prompts(JsonNode prompt, Tokenizer tokenizer, int vocab) {
        if (prompt == null) {
            throw ApiException.badParameter("prompt", "'prompt' is required");
        }
        List<int[]> prompts = new ArrayList<>();
        if (prompt.isTextual()) {
            prompts.add(encode(prompt.asText(), tokenizer));
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            JsonNode first = prompt.get(0);
            if (first.isTextual()) {
                for (JsonNode s : prompt) {
                    if (!s.isTextual()) {
                        throw badPrompt();
                    }
                    prompts.add(encode(s.asText(), tokenizer));
                }
            } else if (first.isIntegralNumber()) {
                prompts.add(ids(prompt, vocab));
            } else if (first.isArray()) {
                for (JsonNode a : prompt) {
                    if (!a.isArray()) {
                        throw badPrompt();
                    }
                    prompts.add(ids(a, vocab));
                }
            } else {
                throw badPrompt();
            }
        } else {
            throw badPrompt();
        }
        return prompts;
    }

    private static int[] encode(String text, Tokenizer tokenizer) {
        if (text.isEmpty()) {
            return new int[] {tokenizer.endOfText().orElseThrow(() -> ApiException.badParameter("prompt",
                    "'prompt' is empty and the tokenizer has no end-of-text token to start from"))};
        }
        return tokenizer.encode(text);
    }

    private static int[] ids(JsonNode array, int vocab) {
        if (array.isEmpty()) {
            throw ApiException.badParameter("prompt", "'prompt' holds an empty array of token ids");
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode n = array.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0 || n.asInt() >= vocab) {
                throw ApiException.badParameter("prompt", "'prompt' token " + i + " must be an id in [0, " + vocab
                        + "), got " + n);
            }
            ids[i] = n.asInt();
        }
        return ids;
    }

    private static ApiException badPrompt() {
        return ApiException.badParameter("prompt", "'prompt' must be a string, an array of strings, an array of token"
                + " ids or an array of arrays of token ids");
    }
}
