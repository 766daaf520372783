package io.github.vectorlm.server;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.SamplingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the completions and chat endpoints share: how many tokens, how to sample them, when to
 * stop, how many choices and whether to stream.
 *
 * @param maxTokens the {@code max_tokens} asked for, or null when the request left it out
 * @param temperature {@code temperature} (OpenAI's default 1; 0 is greedy)
 * @param topP {@code top_p}
 * @param topK {@code top_k} (an extension; 0: off)
 * @param n choices per prompt
 * @param seed {@code seed}; a random one when the request has none. Choice {@code i} samples
 *     with {@code seed + i}, so one choice with a seed gives what {@code vectorlm generate --seed}
 *     gives
 * @param stop the stop strings
 * @param presencePenalty {@code presence_penalty}
 * @param frequencyPenalty {@code frequency_penalty}
 * @param logitBias {@code logit_bias}
 * @param stream whether to answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage
 * @param ignoreEos {@code ignore_eos} (an extension, as vLLM's): generate past the end-of-text
 *     token, exactly {@code max_tokens} (for benchmarks)
 */
record SamplingRequest(Integer maxTokens, double temperature, double topP, int topK, int n, long seed,
        List<String> stop, double presencePenalty, double frequencyPenalty, Map<Integer, Float> logitBias,
        boolean stream, boolean includeUsage, boolean ignoreEos) {
    /** The largest {@code logprobs} / {@code top_logprobs}. */
    static final int MAX_TOP_LOGPROBS = 20;

    /**
     * Reads the shared fields.
     *
     * @param maxTokensNames the names the token budget may have, first wins ({@code max_tokens},
     *     or chat's {@code max_completion_tokens} too)
     */
    static SamplingRequest parse(Params p, int vocab, int maxChoices, String... maxTokensNames) {
        Integer maxTokens = null;
        for (String name : maxTokensNames) {
            if (p.has(name)) {
                maxTokens = p.integer(name, 0, 0, Integer.MAX_VALUE);
                break;
            }
        }
        double temperature = p.number("temperature", 1.0, 0, 2);
        double topP = p.number("top_p", 1.0, 0, 1);
        if (topP == 0) {
            throw ApiException.badParameter("top_p", "'top_p' must be above 0 (1: off), got 0");
        }
        int topK = p.integer("top_k", 0, 0, vocab);
        int n = p.integer("n", 1, 1, maxChoices);
        long seed = p.has("seed") ? seed(p) : ThreadLocalRandom.current().nextLong();
        List<String> stop = p.stop();
        double presence = p.number("presence_penalty", 0, -2, 2);
        double frequency = p.number("frequency_penalty", 0, -2, 2);
        Map<Integer, Float> bias = p.logitBias(vocab);
        boolean stream = p.bool("stream", false);
        boolean includeUsage = false;
        if (p.has("stream_options")) {
            if (!p.get("stream_options").isObject()) {
                throw ApiException.badParameter("stream_options", "'stream_options' must be an object");
            }
            includeUsage = new Params((com.fasterxml.jackson.databind.node.ObjectNode) p.get("stream_options"))
                    .bool("include_usage", false);
        }
        p.string("user", null); // accepted (OpenAI's end-user id); only its type is checked
        boolean ignoreEos = p.bool("ignore_eos", false);
        return new SamplingRequest(maxTokens, temperature, topP, topK, n, seed, stop, presence, frequency, bias,
                stream, includeUsage, ignoreEos);
    }

    private static long seed(Params p) {
        com.fasterxml.jackson.databind.JsonNode s = p.get("seed");
        if (!s.isIntegralNumber() || !s.canConvertToLong()) {
            throw ApiException.badParameter("seed", "'seed' must be a 64-bit integer, got " + Params.describe(s));
        }
        return s.asLong();
    }

    /**
     * The generation options of choice {@code choice}.
     *
     * @param maxNewTokens the token budget, already checked against the context
     * @param extraStops stop strings added to the request's (a chat template's)
     * @param logprobs alternatives per token, -1 for none
     */
    GenerationOptions options(int maxNewTokens, int choice, List<String> extraStops, int logprobs) {
        SamplingOptions sampling = new SamplingOptions(temperature, topK, topP, seed + choice);
        List<String> stops = new ArrayList<>(stop);
        stops.addAll(extraStops);
        return new GenerationOptions(maxNewTokens, sampling, ignoreEos ? Set.of() : null, stops, presencePenalty, frequencyPenalty, logitBias,
                logprobs);
    }
}
