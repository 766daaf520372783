package io.github.vectorlm.langchain4j;

import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.SamplingOptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a request asks of a generation, each value null where it was not given; {@link #toOptions}
 * fills those with {@link VectorLmBuilder}'s defaults (those of {@code vectorlm generate}).
 */
record GenerationSettings(Double temperature, Integer topK, Double topP, Integer maxTokens, List<String> stopSequences,
        Double frequencyPenalty, Double presencePenalty, Long seed) {

    /**
     * The generation options these settings ask for, stopping also at {@code moreStops} (a chat
     * template's).
     *
     * @throws IllegalArgumentException if a value is out of its range (the message says which)
     */
    GenerationOptions toOptions(List<String> moreStops) {
        SamplingOptions sampling = new SamplingOptions(
                orDefault(temperature, VectorLmBuilder.DEFAULT_TEMPERATURE),
                orDefault(topK, VectorLmBuilder.DEFAULT_TOP_K),
                orDefault(topP, VectorLmBuilder.DEFAULT_TOP_P),
                seed != null ? seed : ThreadLocalRandom.current().nextLong());
        LinkedHashSet<String> stops = new LinkedHashSet<>();
        if (stopSequences != null) {
            stops.addAll(stopSequences);
        }
        stops.addAll(moreStops);
        return new GenerationOptions(orDefault(maxTokens, VectorLmBuilder.DEFAULT_MAX_TOKENS), sampling, null,
                new ArrayList<>(stops), orDefault(presencePenalty, 0.0), orDefault(frequencyPenalty, 0.0), Map.of(), -1);
    }

    private static <T> T orDefault(T value, T otherwise) {
        return value != null ? value : otherwise;
    }
}
