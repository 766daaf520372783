package io.github.vectorlm.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vectorlm.generation.Batch;
import io.github.vectorlm.generation.LanguageModel;
import io.github.vectorlm.generation.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The batching promise, checked bit for bit: random sequences run alone (prompt in one
 * {@code forward}, then one token at a time) and then together in {@link Batch}es — joining at
 * random steps, prompts cut into random chunks, decode steps of others beside them — give every
 * sequence the same logits at every step. One more sequence runs in the pauses of those passes
 * ({@link Batch#onPause}: a pass of its own between two layers of another, as the engine runs a
 * new prompt), and gets its logits alone too; the model must call the pause between its layers.
 */
public final class BatchInvariance {
    private BatchInvariance() {
    }

    /** One sequence's script: its prompt, the tokens it then decodes, and the logits it got alone. */
    private record Script(int[] prompt, int[] decoded, int joinStep, List<float[]> alone) {
    }

    /**
     * Runs {@code sequences} random sequences alone and in batches on {@code model}, and asserts
     * that each one's logits are bit-identical in both.
     *
     * @param model the model
     * @param seed the random seed (printed with a failure)
     * @param sequences how many sequences
     */
    public static void check(LanguageModel model, long seed, int sequences) {
        Random random = new Random(seed);
        int vocab = model.vocabSize();
        List<Script> scripts = new ArrayList<>();
        for (int q = 0; q <= sequences; q++) {
            scripts.add(script(model, random, q));
        }
        Script side = scripts.remove(sequences);

        int maxRows = 24;
        Batch batch = model.newBatch(maxRows);
        SidePass sidePass = new SidePass(model, side, model.newBatch(64), seed); // a whole prompt in one pass
        batch.onPause(sidePass);
        Session[] sessions = new Session[sequences];
        int[] promptDone = new int[sequences];
        int[] decodedDone = new int[sequences];
        float[][] logits = new float[sequences][vocab];
        for (int step = 0; ; step++) {
            batch.clear();
            List<Integer> inStep = new ArrayList<>();
            for (int q = 0; q < sequences; q++) {
                Script sc = scripts.get(q);
                if (step < sc.joinStep() || decodedDone[q] == sc.decoded().length || batch.freeRows() == 0) {
                    continue;
                }
                if (sessions[q] == null) {
                    sessions[q] = model.newSession(Math.min(model.contextLength(), sc.prompt().length
                            + sc.decoded().length + 1));
                }
                if (promptDone[q] < sc.prompt().length) {
                    int remaining = sc.prompt().length - promptDone[q];
                    int budget = Math.min(batch.freeRows(), 3 + random.nextInt(12));
                    int n = Batch.nextChunk(remaining, budget);
                    if (n == 1 && remaining > 1) {
                        continue; // no room for a chunk that keeps the prompt's arithmetic: wait for the next step
                    }
                    batch.add(sessions[q], sc.prompt(), promptDone[q], n, logits[q], 0, false);
                    promptDone[q] += n;
                    inStep.add(q);
                } else {
                    int k = decodedDone[q];
                    batch.add(sessions[q], sc.decoded(), k, 1, logits[q], 0, false);
                    inStep.add(q);
                }
            }
            if (batch.size() == 0) {
                boolean done = true;
                for (int q = 0; q < sequences; q++) {
                    done &= decodedDone[q] == scripts.get(q).decoded().length;
                }
                if (done) {
                    assertThat(sidePass.decodedDone).as("seed %d: the sequence run in pauses ran its prompt and a token",
                            seed).isPositive();
                    return;
                }
                continue;
            }
            sidePass.pauseAt = sidePass.pause == 0 ? 0 : random.nextInt(sidePass.pause); // a layer of the last pass's
            sidePass.pause = 0;
            model.forward(batch);
            assertThat(sidePass.pause).as("pauses of a pass (one after each layer)").isPositive();
            for (int q : inStep) {
                Script sc = scripts.get(q);
                if (promptDone[q] == sc.prompt().length && sessions[q].position() == sc.prompt().length) {
                    assertThat(logits[q]).as("seed %d, sequence %d after its prompt of %d", seed, q,
                            sc.prompt().length).containsExactly(sc.alone().get(0));
                } else if (sessions[q].position() > sc.prompt().length) {
                    int k = decodedDone[q]++;
                    assertThat(logits[q]).as("seed %d, sequence %d, decode step %d", seed, q, k)
                            .containsExactly(sc.alone().get(k + 1));
                }
            }
            if (step > 10_000) {
                throw new AssertionError("batches did not finish: " + Arrays.toString(decodedDone));
            }
        }
    }

    private static Script script(LanguageModel model, Random random, int q) {
        int vocab = model.vocabSize();
        int longest = Math.max(2, Math.min(40, model.contextLength() - 8));
        int promptLength = 1 + random.nextInt(q % 3 == 0 ? 2 : longest);
        int[] prompt = random.ints(promptLength, 0, vocab).toArray();
        int[] decoded = random.ints(2 + random.nextInt(6), 0, vocab).toArray();
        List<float[]> alone = new ArrayList<>();
        Session s = model.newSession(Math.min(model.contextLength(), promptLength + decoded.length + 1));
        float[] logits = new float[vocab];
        model.forward(s, prompt, 0, prompt.length, logits);
        alone.add(logits.clone());
        for (int t : decoded) {
            model.forward(s, new int[] {t}, 0, 1, logits);
            alone.add(logits.clone());
        }
        return new Script(prompt, decoded, random.nextInt(6), alone);
    }

    /** Runs one entry of a sequence of its own (whole prompt, then a token at a time) at a pause of each pass. */
    private static final class SidePass implements Runnable {
        private final LanguageModel model;
        private final Script script;
        private final Batch batch;
        private final long seed;
        private final Session session;
        private final float[] logits;
        int pauseAt;
        int pause;
        int decodedDone = -1; // -1: the prompt has not run

        SidePass(LanguageModel model, Script script, Batch batch, long seed) {
            this.model = model;
            this.script = script;
            this.batch = batch;
            this.seed = seed;
            this.session = model.newSession(Math.min(model.contextLength(), script.prompt().length
                    + script.decoded().length + 1));
            this.logits = new float[model.vocabSize()];
        }

        @Override
        public void run() {
            if (pause++ != pauseAt || decodedDone == script.decoded().length) {
                return;
            }
            batch.clear();
            if (decodedDone < 0) {
                batch.add(session, script.prompt(), 0, script.prompt().length, logits, 0, false);
            } else {
                batch.add(session, script.decoded(), decodedDone, 1, logits, 0, false);
            }
            model.forward(batch);
            decodedDone++;
            assertThat(logits).as("seed %d, the sequence run in pauses, step %d", seed, decodedDone)
                    .containsExactly(script.alone().get(decodedDone));
        }
    }
}
