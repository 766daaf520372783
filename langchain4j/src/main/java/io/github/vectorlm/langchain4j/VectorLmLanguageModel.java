package io.github.vectorlm.langchain4j;

import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.output.Response;
import io.github.vectorlm.generation.ChatTemplate;
import java.util.List;

/**
 * A langchain4j {@link LanguageModel} (text in, text out) running a VectorLM model in this JVM.
 *
 * <pre>{@code
 * try (VectorLmLanguageModel model = VectorLmLanguageModel.builder()
 *         .modelPath(Path.of("models/gpt2-shakespeare")).temperature(0.0).maxTokens(40).build()) {
 *     Response<String> response = model.generate("ROMEO:");
 *     System.out.println(response.content() + " (" + response.finishReason() + ")");
 * }
 * }</pre>
 *
 * <p><b>Sharing:</b> every VectorLM langchain4j model built from the same path and thread count
 * uses one loaded model (weights mapped once) and one continuous-batching engine, so calls from
 * many threads, and from several such models, are generated together, each with exactly the result
 * it would get alone. The model is unloaded when the last of them is {@linkplain #close() closed}
 * (one never closed keeps it until the JVM exits). Thread-safe.
 *
 * <p>The text returned is what follows the prompt, cut just before a stop sequence; the token
 * usage counts the prompt's tokens and every generated one; the finish reason is {@code STOP}
 * (stop sequence or end-of-text) or {@code LENGTH} (token limit or full context).
 */
public final class VectorLmLanguageModel implements LanguageModel, AutoCloseable {
    private final ModelLease lease;
    private final GenerationSettings settings;

    private VectorLmLanguageModel(Builder builder) {
        this.settings = builder.settings();
        this.lease = builder.lease();
    }

    /**
     * A builder; {@link Builder#modelPath} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Generates a continuation of {@code prompt} with the builder's parameters.
     *
     * @param prompt the text to continue
     * @return the generated text, token usage and finish reason
     * @throws dev.langchain4j.exception.InvalidRequestException if the prompt is empty or does not
     *     fit the model's context
     * @throws IllegalStateException if this model is closed
     */
    @Override
    public Response<String> generate(String prompt) {
        return Responses.completion(lease.generate(prompt, settings.toOptions(List.of())));
    }

    /**
     * Counts tokens with this model's tokenizer (messages as {@link ChatTemplate#PLAIN} renders them).
     *
     * @return the estimator
     */
    public VectorLmTokenCountEstimator tokenCountEstimator() {
        return new VectorLmTokenCountEstimator(lease.tokenizer(), ChatTemplate.PLAIN);
    }

    /**
     * The model's name: its folder's name.
     *
     * @return the name
     */
    public String modelName() {
        return lease.modelName();
    }

    /** Releases this model's hold on the shared model; the last one closed unloads it. Idempotent. */
    @Override
    public void close() {
        lease.close();
    }

    /** Builds a {@link VectorLmLanguageModel}; see {@link VectorLmBuilder} for the parameters. */
    public static final class Builder extends VectorLmBuilder<Builder> {
        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Loads the model, or shares the one already loaded from the same path.
         *
         * @return the model
         * @throws IllegalArgumentException if the model path is missing or a parameter is out of range
         * @throws java.io.UncheckedIOException if the model cannot be loaded
         */
        public VectorLmLanguageModel build() {
            return new VectorLmLanguageModel(this);
        }
    }
}
