package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.testing.Decoding;
import io.github.vectorlm.testing.Fixtures;
import io.github.vectorlm.testing.Logits;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a fixture script recorded (an {@code expected*.json} of {@code tools/make_gpt2_fixtures_*.py})
 * and the checks of a loaded model against it:
 * <ul>
 *   <li>logits of a full forward and of a cached decode (prefill k, then one token at a time):
 *       per row, {@code |ours − ref| ≤ 1e-4 · max(1, max|ref row|)};
 *   <li>mean cross-entropy of ids[1..] given ids[..n-1], from our logits in double: within 1e-5 absolute;
 *   <li>greedy continuation of the prompt: identical ids, by a plain argmax loop over the KV cache
 *       and by the generation module's {@code Generator}.
 * </ul>
 */
record Oracle(String source, int[] ids, double[][] logits, int prefill, double[][] decodeLogits, int[] prompt,
        int maxNewTokens, int[] generated, double loss) {

    static final double LOGITS_TOLERANCE = 1e-4;
    static final double LOSS_TOLERANCE = 1e-5;
    static final Path RESOURCES = Path.of("src/test/resources");

    /** Reads an expected JSON; a missing file fails the test, naming the command that makes it. */
    static Oracle read(Path json, String madeBy) throws IOException {
        JsonNode root = Fixtures.json(json, madeBy);
        return new Oracle(json.toString(), Fixtures.ints(root.get("ids")), Fixtures.matrix(root.get("logits")),
                root.get("decode").get("prefill").intValue(), Fixtures.matrix(root.get("decode").get("logits")),
                Fixtures.ints(root.get("generate").get("prompt")), root.get("generate").get("max_new_tokens").intValue(),
                Fixtures.ints(root.get("generate").get("ids")), root.get("loss").doubleValue());
    }

    /** Every check above. */
    void verify(Gpt2Model model) {
        int vocab = model.vocabSize();
        assertThat(vocab).as("vocab of " + source).isEqualTo(logits[0].length);

        float[] full = Decoding.full(model, ids);
        Logits.assertClose("full forward vs " + source, full, 0, logits, LOGITS_TOLERANCE);
        double ourLoss = Logits.meanLoss(full, ids, vocab);
        assertThat(ourLoss).as("mean loss vs " + source).isCloseTo(loss, org.assertj.core.data.Offset.offset(LOSS_TOLERANCE));

        float[] decoded = Decoding.cached(model, ids, prefill);
        Logits.assertClose("cached decode vs " + source, decoded, 0, decodeLogits, LOGITS_TOLERANCE);

        assertThat(Decoding.greedy(model, prompt, maxNewTokens)).as("greedy continuation vs " + source)
                .containsExactly(generated);
        GenerationResult viaGenerator = new Generator(model).generate(prompt, GenerationOptions.greedy(maxNewTokens),
                (id, text) -> { });
        assertThat(viaGenerator.ids()).as("Generator's greedy continuation vs " + source).containsExactly(generated);
    }
}
