package io.github.vectorlm.generation;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a {@link Generator} or an {@link Engine} generates.
 *
 * <p>Before each token is picked, the logits are adjusted as OpenAI's API defines it: {@code
 * logit[j] += logitBias[j] - count[j] × frequencyPenalty - (count[j] > 0 ? presencePenalty : 0)},
 * where {@code count[j]} is how many times {@code j} was generated so far in this sequence (the
 * prompt does not count). Greedy decoding sees the adjusted logits too; log-probabilities are
 * reported from the model's own ({@link TokenLogprobs}).
 *
 * @param maxNewTokens the most tokens to generate (0 generates nothing)
 * @param sampling how each token is picked
 * @param stopTokens ids that end the generation when generated; null means the tokenizer's
 *     end-of-text if it has one (none otherwise); empty means none
 * @param stopStrings texts that end the generation as soon as the generated text contains one;
 *     the result's text ends just before it
 * @param presencePenalty subtracted once from the logit of every token already generated; 0: off
 * @param frequencyPenalty subtracted from a token's logit once per time it was generated; 0: off
 * @param logitBias added to the logits of these ids (an id outside the vocabulary is refused when
 *     the generation starts); empty: none
 * @param logprobs report log-probabilities with each token ({@link TokenListener#onToken(int,
 *     String, TokenLogprobs)}, {@link GenerationResult#logprobs()}) with this many of the most
 *     likely alternatives; -1: off, 0: only the token's own
 */
public record GenerationOptions(int maxNewTokens, SamplingOptions sampling, Set<Integer> stopTokens,
        List<String> stopStrings, double presencePenalty, double frequencyPenalty, Map<Integer, Float> logitBias,
        int logprobs) {
    /** Checks and copies the arguments. */
    public GenerationOptions {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        }
        Objects.requireNonNull(sampling, "sampling");
        stopTokens = stopTokens == null ? null : Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
        if (!Double.isFinite(presencePenalty) || !Double.isFinite(frequencyPenalty)) {
            throw new IllegalArgumentException("penalties must be finite, got presence " + presencePenalty
                    + " and frequency " + frequencyPenalty);
        }
        logitBias = Map.copyOf(logitBias);
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            if (!Float.isFinite(e.getValue())) {
                throw new IllegalArgumentException("the logit bias of id " + e.getKey() + " must be finite, got " + e.getValue());
            }
        }
        if (logprobs < -1) {
            throw new IllegalArgumentException("logprobs must be -1 (off) or >= 0, got " + logprobs);
        }
    }

    /** Without penalties, logit bias or log-probabilities. */
    public GenerationOptions(int maxNewTokens, SamplingOptions sampling, Set<Integer> stopTokens, List<String> stopStrings) {
        this(maxNewTokens, sampling, stopTokens, stopStrings, 0, 0, Map.of(), -1);
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens, stopping at end-of-text. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, SamplingOptions.greedy(), null, List.of());
    }

    /** Sampling with {@code sampling} for up to {@code maxNewTokens} tokens, stopping at end-of-text. */
    public static GenerationOptions of(int maxNewTokens, SamplingOptions sampling) {
        return new GenerationOptions(maxNewTokens, sampling, null, List.of());
    }

    /** With another token budget. */
    public GenerationOptions withMaxNewTokens(int n) {
        return new GenerationOptions(n, sampling, stopTokens, stopStrings, presencePenalty, frequencyPenalty, logitBias,
                logprobs);
    }

    /** With other sampling. */
    public GenerationOptions withSampling(SamplingOptions s) {
        return new GenerationOptions(maxNewTokens, s, stopTokens, stopStrings, presencePenalty, frequencyPenalty,
                logitBias, logprobs);
    }

    /** Stopping at exactly these ids (none: never at a token, not even end-of-text). */
    public GenerationOptions withStopTokens(int... ids) {
        return new GenerationOptions(maxNewTokens, sampling, Arrays.stream(ids).boxed().collect(Collectors.toSet()),
                stopStrings, presencePenalty, frequencyPenalty, logitBias, logprobs);
    }

    /** Stopping at these strings. */
    public GenerationOptions withStopStrings(String... strings) {
        return new GenerationOptions(maxNewTokens, sampling, stopTokens, List.of(strings), presencePenalty,
                frequencyPenalty, logitBias, logprobs);
    }

    /** With these presence and frequency penalties (OpenAI's). */
    public GenerationOptions withPenalties(double presence, double frequency) {
        return new GenerationOptions(maxNewTokens, sampling, stopTokens, stopStrings, presence, frequency, logitBias,
                logprobs);
    }

    /** With this logit bias (id → added to its logit). */
    public GenerationOptions withLogitBias(Map<Integer, Float> bias) {
        return new GenerationOptions(maxNewTokens, sampling, stopTokens, stopStrings, presencePenalty, frequencyPenalty,
                bias, logprobs);
    }

    /** Reporting log-probabilities with {@code top} alternatives (-1: off). */
    public GenerationOptions withLogprobs(int top) {
        return new GenerationOptions(maxNewTokens, sampling, stopTokens, stopStrings, presencePenalty, frequencyPenalty,
                logitBias, top);
    }

    /** Whether the logits are adjusted before each pick (a penalty or a bias is set). */
    boolean adjustsLogits() {
        return presencePenalty != 0 || frequencyPenalty != 0 || !logitBias.isEmpty();
    }
}
