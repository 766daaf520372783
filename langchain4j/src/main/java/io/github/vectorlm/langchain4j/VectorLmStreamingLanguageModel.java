package io.github.vectorlm.langchain4j;

import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.language.StreamingLanguageModel;
import io.github.vectorlm.generation.ChatTemplate;
import java.util.List;

/**
 * A langchain4j {@link StreamingLanguageModel} running a VectorLM model in this JVM: the text of
 * each token is handed over as soon as it is generated.
 *
 * <pre>{@code
 * VectorLmStreamingLanguageModel model = VectorLmStreamingLanguageModel.builder()
 *         .modelPath(Path.of("models/gpt2-shakespeare")).seed(42L).build();
 * model.generate("ROMEO:", new StreamingResponseHandler<String>() {
 *     public void onNext(String token) { System.out.print(token); }
 *     public void onComplete(Response<String> response) { System.out.println(" " + response.tokenUsage()); }
 *     public void onError(Throwable error) { error.printStackTrace(); }
 * });
 * }</pre>
 *
 * <p>The pieces given to {@code onNext}, joined, are exactly the text of the response given to
 * {@code onComplete} (a piece is never empty; a token that holds only part of a character, or text
 * that may begin a stop sequence, is handed over with the text that completes it). The handler is
 * called on the engine's thread, which runs every sequence of the model: it should return quickly.
 * A blocking generation of a VectorLM model of the same path, called from inside it, throws {@code
 * IllegalStateException} (it would wait for that very thread); a streaming one is fine. Sharing,
 * lifetime, usage and finish reasons are as for {@link VectorLmLanguageModel}.
 */
public final class VectorLmStreamingLanguageModel implements StreamingLanguageModel, AutoCloseable {
    private final ModelLease lease;
    private final GenerationSettings settings;

    private VectorLmStreamingLanguageModel(Builder builder) {
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
     * Starts generating a continuation of {@code prompt} and returns; the handler receives the
     * text, then the response (or the error, an exception the handler itself threw included).
     *
     * @param prompt the text to continue
     * @param handler receives the text as it is generated
     * @throws dev.langchain4j.exception.InvalidRequestException if the prompt is empty or does not
     *     fit the model's context (thrown here, before anything is generated)
     * @throws IllegalStateException if this model is closed
     */
    @Override
    public void generate(String prompt, StreamingResponseHandler<String> handler) {
        lease.submit(prompt, settings.toOptions(List.of()), (id, text) -> {
            if (!text.isEmpty()) {
                lease.callHandler(() -> handler.onNext(text));
            }
        }).whenComplete((result, error) -> lease.callHandler(() -> {
            if (error == null) {
                handler.onComplete(Responses.completion(result));
            } else {
                handler.onError(ModelLease.failure(error));
            }
        }));
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

    /**
     * Releases this model's hold on the shared model; the last one closed unloads it, and a
     * generation still running then ends with {@code onError}. Idempotent.
     */
    @Override
    public void close() {
        lease.close();
    }

    /** Builds a {@link VectorLmStreamingLanguageModel}; see {@link VectorLmBuilder} for the parameters. */
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
        public VectorLmStreamingLanguageModel build() {
            return new VectorLmStreamingLanguageModel(this);
        }
    }
}
