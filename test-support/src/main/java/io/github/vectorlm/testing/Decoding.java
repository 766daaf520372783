package io.github.vectorlm.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.Scorer;
import io.github.vectorlm.generation.Session;
import java.io.IOException;
import java.nio.file.Path;
import io.github.vectorlm.tensor.ops.VectorMath;

/** The ways the oracle tests run a model over a fixture's ids. */
public final class Decoding {
    private Decoding() {
    }

    /** The logits of every position of one forward pass over {@code ids} on a fresh session, [ids, vocab]. */
    public static float[] full(LanguageModel model, int[] ids) {
        float[] logits = new float[ids.length * model.vocabSize()];
        model.forwardAll(model.newSession(), ids, 0, ids.length, logits);
        return logits;
    }

    /**
     * The logits of every position with the KV cache: a prefill of {@code prefill} ids, then one
     * token at a time; [ids, vocab].
     */
    public static float[] cached(LanguageModel model, int[] ids, int prefill) {
        int vocab = model.vocabSize();
        float[] logits = new float[ids.length * vocab];
        Session s = model.newSession();
        model.forwardAll(s, ids, 0, prefill, logits);
        float[] row = new float[vocab];
        for (int t = prefill; t < ids.length; t++) {
            model.forward(s, ids, t, 1, row);
            System.arraycopy(row, 0, logits, t * vocab, vocab);
        }
        return logits;
    }

    /** Greedy decoding with the KV cache: prefill the prompt, then feed back each argmax; {@code count} ids. */
    public static int[] greedy(LanguageModel model, int[] prompt, int count) {
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

    /**
     * How much {@code changed}'s perplexity differs from {@code original}'s, relatively (0.01 is
     * 1 % higher), on the validation text of a demo model's {@code score.json} (its {@code ids},
     * {@code window} and {@code stride}), both scored with a sliding window.
     *
     * @param scoreJson the model folder's score.json
     * @param generator what writes that file, named when it is missing
     * @throws IOException if the file cannot be read
     */
    public static double perplexityChange(LanguageModel original, LanguageModel changed, Path scoreJson,
            String generator) throws IOException {
        JsonNode score = Fixtures.json(scoreJson, generator);
        int[] text = Fixtures.ints(score.get("ids"));
        int window = score.get("window").asInt();
        int stride = score.get("stride").asInt();
        double exact = new Scorer(original, window, stride).score(text).perplexity();
        return new Scorer(changed, window, stride).score(text).perplexity() / exact - 1;
    }
}
