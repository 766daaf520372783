package io.github.vectorlm.generation;

/**
 * How a {@link Sampler} picks the next token. Applied in the order of Hugging Face's
 * {@code generate}: temperature, then top-k, then top-p.
 *
 * @param temperature divides the logits; 0 means greedy (the first largest logit), ignoring the rest
 * @param topK keep only tokens whose logit is at least the k-th largest (ties at the k-th value are
 *     all kept, as in Hugging Face's TopKLogitsWarper); 0 turns it off
 * @param topP keep the smallest set of most probable tokens whose probability adds up to at least
 *     {@code topP} (at least one token); 1 turns it off
 * @param seed seeds the random generator: the same seed, options and logits give the same tokens
 */
public record SamplingOptions(double temperature, int topK, double topP, long seed) {
    /** Checks the ranges. */
    public SamplingOptions {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0: off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1] (1: off), got " + topP);
        }
    }

    /** Greedy decoding: always the most likely token. */
    public static SamplingOptions greedy() {
        return new SamplingOptions(0, 0, 1, 0);
    }

    /** Plain sampling at {@code temperature} with {@code seed}, no top-k or top-p. */
    public static SamplingOptions sample(double temperature, long seed) {
        return new SamplingOptions(temperature, 0, 1, seed);
    }

    /** Whether this is greedy decoding. */
    public boolean isGreedy() {
        return temperature == 0;
    }

    /** With another top-k. */
    public SamplingOptions withTopK(int k) {
        return new SamplingOptions(temperature, k, topP, seed);
    }

    /** With another top-p. */
    public SamplingOptions withTopP(double p) {
        return new SamplingOptions(temperature, topK, p, seed);
    }

    /** With another seed. */
    public SamplingOptions withSeed(long s) {
        return new SamplingOptions(temperature, topK, topP, s);
    }
}
