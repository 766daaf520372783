package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.Tokenizer;
import io.github.vectorlm.testing.Fixtures;
import java.io.IOException;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Real text through a really trained model: {@code models/neox-shakespeare} (a small Pythia-style
 * GPT-NeoX trained on Tiny Shakespeare, f16 safetensors, tied embeddings, transformers 5 config
 * spelling) scores the 2,000 validation tokens of its {@code score.json} as Hugging Face did, with
 * the generation module's {@link Scorer} (the same sliding window: 256 positions, stride 128).
 */
class NeoxShakespeareTest {
    @Test
    void scoresTheValidationTextAsHuggingFaceDid() throws IOException {
        JsonNode score = Fixtures.json(NeoxFixtures.SHAKESPEARE.resolve("score.json"), "tools/train_neox_shakespeare.py");
        int[] ids = Fixtures.ints(score.get("ids"));
        assertThat(ids).hasSize(2000);
        try (NeoxModel model = new NeoxLoader().load(NeoxFixtures.SHAKESPEARE, LoadOptions.defaults())) {
            assertThat(model.config().tiedEmbeddings()).isTrue();
            // the tokenizer.json beside the weights is found and is the one the ids came from
            Tokenizer tokenizer = model.tokenizer().orElseThrow();
            assertThat(tokenizer.decode(ids)).isEqualTo(score.get("text").asText());
            assertThat(tokenizer.encode(score.get("text").asText())).containsExactly(ids);

            long start = System.nanoTime();
            Scorer.Score s = new Scorer(model, score.get("window").asInt(), score.get("stride").asInt()).score(ids);
            System.out.printf("neox-shakespeare: loss %.6f (perplexity %.3f), Hugging Face %.6f; %d windows, %.1f s%n",
                    s.loss(), s.perplexity(), score.get("loss").asDouble(), s.windows(), (System.nanoTime() - start) / 1e9);
            assertThat(s.targets()).isEqualTo(ids.length - 1);
            assertThat(s.loss()).isCloseTo(score.get("loss").asDouble(), Offset.offset(1e-4));
        }
    }
}
