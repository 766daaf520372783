package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vectorlm.generation.Session;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.ops.Parallel;
import io.github.vectorlm.testing.AllocationProbe;
import io.github.vectorlm.testing.Logits;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The session contract: cached decode, chunked prefill, limits, threads. */
class Gpt2ModelTest {
    private static final long SEED = 0x5e55L;
    // context 300 > the 256-position prefill chunk, so a full prefill runs in two chunks
    private static final Gpt2Config CONFIG = new Gpt2Config(41, 300, 24, 2, 3, 96, 1e-5f,
            Gpt2Config.Activation.GELU_TANH, true);
    private static RandomGpt2 weights;
    private static Gpt2Model model;

    @BeforeAll
    static void load() throws Exception {
        System.out.println("seed " + SEED);
        weights = new RandomGpt2(CONFIG, SEED);
        model = TestModels.model(CONFIG, Gpt2WeightLayout.HUGGING_FACE, weights.huggingFace(true, false, DType.F32),
                Parallel.create(1));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void chunkedPrefillOfTheWholeContextMatchesTheReference() {
        int[] ids = TestModels.ids(SEED, CONFIG.contextLength(), CONFIG.vocabSize());
        float[] logits = new float[ids.length * CONFIG.vocabSize()];
        Session s = model.newSession();
        model.forwardAll(s, ids, 0, ids.length, logits);
        assertThat(s.position()).isEqualTo(CONFIG.contextLength());
        Logits.assertClose("full prefill", logits, 0, weights.referenceLogits(ids), 1e-4);
    }

    @Test
    void cachedDecodeEqualsFullRecompute() {
        int[] ids = TestModels.ids(SEED + 1, 270, CONFIG.vocabSize());
        int vocab = CONFIG.vocabSize();
        float[] full = new float[ids.length * vocab];
        model.forwardAll(model.newSession(), ids, 0, ids.length, full);

        // prefill 5, then one token at a time, then a chunk crossing the 256 boundary, then one at a time
        float[] cached = new float[ids.length * vocab];
        Session s = model.newSession();
        model.forwardAll(s, ids, 0, 5, cached);
        float[] row = new float[vocab];
        for (int t = 5; t < 250; t++) {
            model.forward(s, ids, t, 1, row);
            System.arraycopy(row, 0, cached, t * vocab, vocab);
        }
        float[] block = new float[12 * vocab];
        model.forwardAll(s, ids, 250, 12, block);
        System.arraycopy(block, 0, cached, 250 * vocab, block.length);
        for (int t = 262; t < ids.length; t++) {
            model.forward(s, ids, t, 1, row);
            System.arraycopy(row, 0, cached, t * vocab, vocab);
        }
        assertThat(s.position()).isEqualTo(ids.length);
        Logits.assertClose("cached decode vs full recompute", cached, 0, Logits.rows(full, ids.length, vocab), 1e-5);
    }

    @Test
    void forwardGivesTheLastRowOfForwardAll() {
        int[] ids = TestModels.ids(SEED + 2, 17, CONFIG.vocabSize());
        int vocab = CONFIG.vocabSize();
        float[] all = new float[ids.length * vocab];
        model.forwardAll(model.newSession(), ids, 0, ids.length, all);
        float[] last = new float[vocab];
        model.forward(model.newSession(), ids, 0, ids.length, last);
        Logits.assertRowClose("forward", last, 0, Logits.rows(Arrays.copyOfRange(all, 16 * vocab, 17 * vocab), 1,
                vocab)[0], 1e-5);
    }

    @Test
    void oneAndTwoThreadsGiveBitIdenticalLogits() throws Exception {
        int[] ids = TestModels.ids(SEED + 3, 40, CONFIG.vocabSize());
        int vocab = CONFIG.vocabSize();
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            try (Parallel p = Parallel.create(threads);
                    Gpt2Model m = TestModels.model(CONFIG, Gpt2WeightLayout.HUGGING_FACE,
                            weights.huggingFace(true, false, DType.F32), p)) {
                float[] out = new float[(ids.length + 3) * vocab];
                Session s = m.newSession();
                m.forwardAll(s, ids, 0, ids.length, out);
                float[] row = new float[vocab];
                for (int t = 0; t < 3; t++) {
                    m.forward(s, new int[] {t + 1}, 0, 1, row);
                    System.arraycopy(row, 0, out, (ids.length + t) * vocab, vocab);
                }
                results[threads - 1] = out;
            }
        }
        assertThat(results[1]).containsExactly(results[0]);
    }

    @Test
    void sessionsOnSeveralThreadsAreIndependent() throws Exception {
        int vocab = CONFIG.vocabSize();
        int[][] seqs = new int[4][];
        float[][] sequential = new float[4][];
        for (int i = 0; i < 4; i++) {
            seqs[i] = TestModels.ids(SEED + 10 + i, 30, vocab);
            sequential[i] = decode(seqs[i]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] futures = new Future<?>[4];
            float[][] concurrent = new float[4][];
            for (int i = 0; i < 4; i++) {
                int k = i;
                futures[i] = pool.submit(() -> concurrent[k] = decode(seqs[k]));
            }
            for (int i = 0; i < 4; i++) {
                futures[i].get();
                assertThat(concurrent[i]).containsExactly(sequential[i]);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static float[] decode(int[] ids) {
        int vocab = CONFIG.vocabSize();
        float[] out = new float[ids.length * vocab];
        float[] row = new float[vocab];
        Session s = model.newSession();
        for (int t = 0; t < ids.length; t++) {
            model.forward(s, ids, t, 1, row);
            System.arraycopy(row, 0, out, t * vocab, vocab);
        }
        return out;
    }

    @Test
    void refusedCallsLeaveTheSessionAsItWas() {
        int vocab = CONFIG.vocabSize();
        float[] row = new float[vocab];
        Session s = model.newSession();
        int[] ids = TestModels.ids(SEED + 4, CONFIG.contextLength(), vocab);
        model.forward(s, ids, 0, 10, row);
        float[] before = row.clone();

        assertThatThrownBy(() -> model.forward(s, new int[] {1, vocab, 2}, 0, 3, row))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id " + vocab)
                .hasMessageContaining("vocabulary of " + vocab);
        assertThatThrownBy(() -> model.forward(s, new int[] {-1}, 0, 1, row))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id -1");
        assertThatThrownBy(() -> model.forward(s, ids, 0, 0, row)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> model.forward(s, ids, 299, 2, row)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside an array of 300");
        assertThatThrownBy(() -> model.forward(s, ids, 0, 1, new float[vocab - 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need " + vocab);
        assertThatThrownBy(() -> model.forwardAll(s, ids, 0, 2, new float[2 * vocab - 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need " + 2 * vocab);
        assertThatThrownBy(() -> model.forward(s, ids, 0, 291, row))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("291 more tokens do not fit: the session holds 10 of 300 positions");
        assertThat(s.position()).isEqualTo(10);

        // the refused calls changed nothing: the session continues as a fresh one would
        model.forward(s, ids, 10, 290, row);
        assertThat(s.position()).isEqualTo(300);
        float[] fresh = new float[vocab];
        model.forward(model.newSession(), ids, 0, 300, fresh);
        Logits.assertRowClose("after refused calls", row, 0, Logits.rows(fresh, 1, vocab)[0], 1e-5);
        assertThatThrownBy(() -> model.forward(s, ids, 0, 1, row)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds 300 of 300");

        s.reset();
        assertThat(s.position()).isZero();
        model.forward(s, ids, 0, 10, row);
        assertThat(row).containsExactly(before);
    }

    /**
     * No allocation in the token loop, from this module's code or the decoder core's
     * ({@link AllocationProbe}: JFR samples with stacks while a warmed-up model decodes).
     */
    @Test
    void decodingAllocatesNothingInTheModel() throws Exception {
        Gpt2Config wide = new Gpt2Config(1000, 160, 256, 2, 4, 1024, 1e-5f, Gpt2Config.Activation.GELU_TANH, true);
        try (Parallel p = Parallel.create(1);
                Gpt2Model m = TestModels.model(wide, Gpt2WeightLayout.HUGGING_FACE,
                        new RandomGpt2(wide, SEED).huggingFace(true, false, DType.F32), p)) {
            int[] ids = TestModels.ids(SEED + 5, wide.contextLength(), wide.vocabSize());
            float[] logits = new float[wide.vocabSize()];
            Session s = m.newSession();
            decodeAll(m, s, ids, logits); // warm-up
            AllocationProbe.assertNoAllocationIn("GPT-2 decode", List.of("io.github.vectorlm.gpt2.",
                    "io.github.vectorlm.decoder."), 8, ids.length, () -> decodeAll(m, s, ids, logits));
        }
    }

    private static void decodeAll(Gpt2Model m, Session s, int[] ids, float[] logits) {
        s.reset();
        for (int t = 0; t < ids.length; t++) {
            m.forward(s, ids, t, 1, logits);
        }
    }

    @Test
    void aSessionOfAnotherModelIsRefused() throws Exception {
        try (Gpt2Model other = TestModels.model(CONFIG, Gpt2WeightLayout.HUGGING_FACE,
                weights.huggingFace(true, false, DType.F32), Parallel.create(1))) {
            Session foreign = other.newSession();
            assertThatThrownBy(() -> model.forward(foreign, new int[] {1}, 0, 1, new float[CONFIG.vocabSize()]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not made by this model");
        }
        assertThat(model.architecture()).isEqualTo("gpt2");
        assertThat(model.vocabSize()).isEqualTo(41);
        assertThat(model.contextLength()).isEqualTo(300);
        assertThat(model.newSession().capacity()).isEqualTo(300);
        assertThat(model.tokenizer()).isEmpty();
    }
}
