package io.github.vectorlm.langchain4j;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What every VectorLM langchain4j model is built from: the model's path, its thread pool, and the
 * generation parameters used where a request does not give its own. A parameter left unset takes
 * the default of {@code vectorlm generate} (the constants below); the seed, unset, is drawn at
 * random for each call.
 *
 * <pre>{@code
 * VectorLmLanguageModel model = VectorLmLanguageModel.builder()
 *         .modelPath(Path.of("models/gpt2-shakespeare"))
 *         .temperature(0.0)          // greedy
 *         .maxTokens(40)
 *         .stopSequences("\n\n")
 *         .build();
 * }</pre>
 *
 * <p>Models built from the same path and thread count share one loaded model and its engine; see
 * {@link VectorLmLanguageModel}.
 *
 * @param <B> the concrete builder
 */
public abstract class VectorLmBuilder<B extends VectorLmBuilder<B>> {
    /** Tokens generated at most when {@link #maxTokens} is not set. */
    public static final int DEFAULT_MAX_TOKENS = 200;
    /** Sampling temperature when {@link #temperature} is not set (0 is greedy decoding). */
    public static final double DEFAULT_TEMPERATURE = 0.8;
    /** Top-k when {@link #topK} is not set (0 turns it off). */
    public static final int DEFAULT_TOP_K = 200;
    /** Top-p when {@link #topP} is not set (1 turns it off). */
    public static final double DEFAULT_TOP_P = 1.0;

    private Path modelPath;
    private int threadCount;
    private Double temperature;
    private Integer topK;
    private Double topP;
    private Integer maxTokens;
    private List<String> stopSequences;
    private Double frequencyPenalty;
    private Double presencePenalty;
    private Long seed;

    /** Only this package's builders extend it. */
    VectorLmBuilder() {
    }

    /** This builder, typed as the concrete one. */
    abstract B self();

    /**
     * The model to run: a folder (or a single checkpoint file) that {@code LanguageModels.load}
     * reads, with its tokenizer beside it. Required.
     *
     * @param path the model's folder or file
     * @return this builder
     */
    public B modelPath(Path path) {
        this.modelPath = path;
        return self();
    }

    /**
     * Runs the model's kernels on a thread pool of its own with {@code threads} threads, instead of
     * the shared pool of one thread per core.
     *
     * @param threads at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public B threadCount(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threadCount must be at least 1, got " + threads);
        }
        this.threadCount = threads;
        return self();
    }

    /**
     * Divides the logits before sampling; 0 is greedy decoding (the most likely token each time).
     *
     * @param temperature at least 0, or null for {@link #DEFAULT_TEMPERATURE}
     * @return this builder
     */
    public B temperature(Double temperature) {
        this.temperature = temperature;
        return self();
    }

    /**
     * Samples only among the {@code k} most likely tokens (0: off).
     *
     * @param topK at least 0, or null for {@link #DEFAULT_TOP_K}
     * @return this builder
     */
    public B topK(Integer topK) {
        this.topK = topK;
        return self();
    }

    /**
     * Samples only among the most likely tokens whose probabilities add up to {@code topP} (1: off).
     *
     * @param topP in (0, 1], or null for {@link #DEFAULT_TOP_P}
     * @return this builder
     */
    public B topP(Double topP) {
        this.topP = topP;
        return self();
    }

    /**
     * The most tokens to generate.
     *
     * @param maxTokens at least 0, or null for {@link #DEFAULT_MAX_TOKENS}
     * @return this builder
     */
    public B maxTokens(Integer maxTokens) {
        this.maxTokens = maxTokens;
        return self();
    }

    /**
     * Seeds the sampler: the same seed, parameters and prompt give the same text, alone or among
     * concurrent calls.
     *
     * @param seed the seed, or null for a random seed per call
     * @return this builder
     */
    public B seed(Long seed) {
        this.seed = seed;
        return self();
    }

    /**
     * Texts that end the generation; the text returned stops just before the first one generated.
     *
     * @param stopSequences non-empty strings, or null for none
     * @return this builder
     */
    public B stopSequences(List<String> stopSequences) {
        this.stopSequences = stopSequences == null ? null : List.copyOf(stopSequences);
        return self();
    }

    /**
     * As {@link #stopSequences(List)}.
     *
     * @param stopSequences non-empty strings
     * @return this builder
     */
    public B stopSequences(String... stopSequences) {
        return stopSequences(Arrays.asList(stopSequences));
    }

    /**
     * Subtracted from a token's logit once per time it was generated (OpenAI's definition).
     *
     * @param frequencyPenalty a finite number, or null for none
     * @return this builder
     */
    public B frequencyPenalty(Double frequencyPenalty) {
        this.frequencyPenalty = frequencyPenalty;
        return self();
    }

    /**
     * Subtracted once from the logit of every token already generated (OpenAI's definition).
     *
     * @param presencePenalty a finite number, or null for none
     * @return this builder
     */
    public B presencePenalty(Double presencePenalty) {
        this.presencePenalty = presencePenalty;
        return self();
    }

    /** The generation parameters set on this builder (nulls where unset). */
    GenerationSettings settings() {
        return new GenerationSettings(temperature, topK, topP, maxTokens, stopSequences, frequencyPenalty,
                presencePenalty, seed);
    }

    /**
     * Checks the parameters, then takes a lease on the shared model (loading it if needed).
     *
     * @throws IllegalArgumentException if the model path is missing or a parameter is out of range
     * @throws java.io.UncheckedIOException if the model cannot be loaded
     */
    ModelLease lease() {
        if (modelPath == null) {
            throw new IllegalArgumentException("modelPath is required: the folder of a VectorLM model");
        }
        settings().toOptions(List.of()); // throws here, at build(), for a parameter out of range
        return SharedModels.acquire(modelPath, threadCount);
    }
}
