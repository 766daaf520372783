package io.github.vectorlm.neox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.LoadOptions;
import io.github.vectorlm.generation.Session;
import java.io.IOException;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Real text through a really trained model: {@code models/neox-shakespeare} (a small Pythia-style
 * GPT-NeoX trained on Tiny Shakespeare, f16 safetensors, tied embeddings, transformers 5 config
 * spelling) scores the 2,000 validation tokens of its {@code score.json} as Hugging Face did.
 */
class NeoxShakespeareTest {
    /**
     * Mean next-token loss with Hugging Face's sliding window ({@code window} positions, advancing by
     * {@code stride}; each token scored once, in the first window that predicts it with the most
     * context), as {@code tools/train_neox_shakespeare.py} computes {@code score.json}.
     */
    static double slidingWindowLoss(LanguageModel model, int[] ids, int window, int stride) {
        int vocab = model.vocabSize();
        Session s = model.newSession();
        float[] logits = new float[window * vocab];
        double total = 0;
        int count = 0;
        int prevEnd = 0;
        for (int begin = 0; ; begin += stride) {
            int end = Math.min(begin + window, ids.length);
            s.reset();
            // positions before prevEnd are context only: one prefill, whose last logits predict ids[prevEnd]
            int firstScored = Math.max(prevEnd, begin + 1);
            int context = firstScored - begin;
            model.forward(s, ids, begin, context, logits);
            total += Logits.crossEntropy(logits, 0, vocab, ids[firstScored]);
            count++;
            if (end - firstScored > 1) {
                model.forwardAll(s, ids, firstScored, end - firstScored - 1, logits);
                for (int p = firstScored + 1; p < end; p++) {
                    total += Logits.crossEntropy(logits, (p - firstScored - 1) * vocab, vocab, ids[p]);
                    count++;
                }
            }
            prevEnd = end;
            if (end == ids.length) {
                break;
            }
        }
        assertThat(count).isEqualTo(ids.length - 1);
        return total / count;
    }

    @Test
    void scoresTheValidationTextAsHuggingFaceDid() throws IOException {
        JsonNode score = Fixtures.json(Fixtures.SHAKESPEARE.resolve("score.json"));
        int[] ids = Fixtures.ints(score.get("ids"));
        assertThat(ids).hasSize(2000);
        try (NeoxModel model = new NeoxLoader().load(Fixtures.SHAKESPEARE, LoadOptions.defaults())) {
            assertThat(model.config().tiedEmbeddings()).isTrue();
            long start = System.nanoTime();
            double loss = slidingWindowLoss(model, ids, score.get("window").asInt(), score.get("stride").asInt());
            System.out.printf("neox-shakespeare: loss %.6f (perplexity %.3f), Hugging Face %.6f; %.1f s%n", loss,
                    Math.exp(loss), score.get("loss").asDouble(), (System.nanoTime() - start) / 1e9);
            assertThat(loss).isCloseTo(score.get("loss").asDouble(), Offset.offset(1e-4));
        }
    }
}
