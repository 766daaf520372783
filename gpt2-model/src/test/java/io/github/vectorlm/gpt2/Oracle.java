package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.generation.GenerationOptions;
import io.github.vectorlm.generation.GenerationResult;
import io.github.vectorlm.generation.Generator;
import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.ops.VectorMath;
import java.io.IOException;
import java.nio.file.Files;
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
        requireFixture(json, madeBy);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        return new Oracle(json.toString(), ints(root.get("ids")), matrix(root.get("logits")),
                root.get("decode").get("prefill").intValue(), matrix(root.get("decode").get("logits")),
                ints(root.get("generate").get("prompt")), root.get("generate").get("max_new_tokens").intValue(),
                ints(root.get("generate").get("ids")), root.get("loss").doubleValue());
    }

    /** Fails (never skips) when a fixture is absent. */
    static void requireFixture(Path path, String madeBy) {
        if (!Files.exists(path)) {
            fail("fixture missing: %s (absolute %s); it is made by: %s", path, path.toAbsolutePath(), madeBy);
        }
    }

    /** Every check above. */
    void verify(Gpt2Model model) {
        int vocab = model.vocabSize();
        assertThat(vocab).as("vocab of " + source).isEqualTo(logits[0].length);

        float[] full = new float[ids.length * vocab];
        model.forwardAll(model.newSession(), ids, 0, ids.length, full);
        Logits.assertClose("full forward vs " + source, full, 0, logits, LOGITS_TOLERANCE);
        double ourLoss = Logits.meanLoss(full, ids, vocab);
        assertThat(ourLoss).as("mean loss vs " + source).isCloseTo(loss, org.assertj.core.data.Offset.offset(LOSS_TOLERANCE));

        float[] decoded = new float[ids.length * vocab];
        Session s = model.newSession();
        model.forwardAll(s, ids, 0, prefill, decoded);
        float[] row = new float[vocab];
        for (int t = prefill; t < ids.length; t++) {
            model.forward(s, ids, t, 1, row);
            System.arraycopy(row, 0, decoded, t * vocab, vocab);
        }
        Logits.assertClose("cached decode vs " + source, decoded, 0, decodeLogits, LOGITS_TOLERANCE);

        assertThat(greedy(model, prompt, maxNewTokens)).as("greedy continuation vs " + source)
                .containsExactly(generated);
        GenerationResult viaGenerator = new Generator(model).generate(prompt, GenerationOptions.greedy(maxNewTokens),
                (id, text) -> { });
        assertThat(viaGenerator.ids()).as("Generator's greedy continuation vs " + source).containsExactly(generated);
    }

    /** Greedy decoding with the KV cache: prefill the prompt, then feed back each argmax. */
    static int[] greedy(Gpt2Model model, int[] prompt, int count) {
        Session s = model.newSession();
        float[] logits = new float[model.vocabSize()];
        int[] out = new int[count];
        model.forward(s, prompt, 0, prompt.length, logits);
        for (int i = 0; i < count; i++) {
            out[i] = VectorMath.argmax(logits, 0, logits.length);
            if (i + 1 < count) {
                model.forward(s, out, i, 1, logits);
            }
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    private static double[][] matrix(JsonNode rows) {
        double[][] out = new double[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            JsonNode row = rows.get(r);
            out[r] = new double[row.size()];
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = row.get(c).doubleValue();
            }
        }
        return out;
    }
}
