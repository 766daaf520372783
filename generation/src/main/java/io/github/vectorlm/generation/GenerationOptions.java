package io.github.vectorlm.generation;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link Generator} generates.
 *
 * @param maxNewTokens the most tokens to generate (0 generates nothing)
 * @param sampling how each token is picked
 * @param stopTokens ids that end the generation when generated; null means the tokenizer's
 *     end-of-text if it has one (none otherwise); empty means none
 * @param stopStrings texts that end the generation as soon as the generated text contains one;
 *     the result's text ends just before it
 */
public record GenerationOptions(int maxNewTokens, SamplingOptions sampling, Set<Integer> stopTokens,
        List<String> stopStrings) {
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
        return new GenerationOptions(n, sampling, stopTokens, stopStrings);
    }

    /** With other sampling. */
    public GenerationOptions withSampling(SamplingOptions s) {
        return new GenerationOptions(maxNewTokens, s, stopTokens, stopStrings);
    }

    /** Stopping at exactly these ids (none: never at a token, not even end-of-text). */
    public GenerationOptions withStopTokens(int... ids) {
        return new GenerationOptions(maxNewTokens, sampling, java.util.Arrays.stream(ids).boxed()
                .collect(java.util.stream.Collectors.toSet()), stopStrings);
    }

    /** Stopping at these strings. */
    public GenerationOptions withStopStrings(String... strings) {
        return new GenerationOptions(maxNewTokens, sampling, stopTokens, List.of(strings));
    }
}
