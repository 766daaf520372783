package io.github.vectorlm.testing;

import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.Session;
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
}
