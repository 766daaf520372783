package io.github.vectorlm.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.Objects;

/**
 * langchain4j's chat request parameters plus the sampler's {@link #seed()}, which langchain4j's
 * common parameters do not carry (as {@code OpenAiChatRequestParameters} adds it for OpenAI).
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *         .messages(UserMessage.from("Who are you?"))
 *         .parameters(VectorLmChatRequestParameters.builder().temperature(0.7).seed(42L).build())
 *         .build();
 * }</pre>
 *
 * <p>Merging keeps the seed: defaults overridden by a request's plain parameters keep the default
 * seed, and a request's own seed replaces it.
 */
public final class VectorLmChatRequestParameters extends DefaultChatRequestParameters {
    private final Long seed;

    private VectorLmChatRequestParameters(Builder builder) {
        super(builder);
        this.seed = builder.seed;
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The sampler's seed: the same seed, parameters and messages give the same answer.
     *
     * @return the seed, or null for a random one per call
     */
    public Long seed() {
        return seed;
    }

    @Override
    public VectorLmChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    @Override
    public VectorLmChatRequestParameters defaultedBy(ChatRequestParameters that) {
        return builder().overrideWith(that).overrideWith(this).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VectorLmChatRequestParameters that && super.equals(that) && Objects.equals(seed, that.seed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed);
    }

    @Override
    public String toString() {
        return "VectorLmChatRequestParameters{" + super.toString() + ", seed=" + seed + "}";
    }

    /** Builds {@link VectorLmChatRequestParameters}. */
    public static final class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private Long seed;

        private Builder() {
        }

        /**
         * Takes every parameter {@code parameters} sets (the seed too, when it has one).
         *
         * @param parameters the parameters to copy over these
         * @return this builder
         */
        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof VectorLmChatRequestParameters v && v.seed != null) {
                seed = v.seed;
            }
            return this;
        }

        /**
         * The sampler's seed.
         *
         * @param seed the seed, or null for a random one per call
         * @return this builder
         */
        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The parameters.
         *
         * @return the parameters
         */
        @Override
        public VectorLmChatRequestParameters build() {
            return new VectorLmChatRequestParameters(this);
        }
    }
}
