package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScorerTest {
    private static final int VOCAB = 7;

    /**
     * Logits that depend on the current token and on its position in the session, so that a
     * target scored from the wrong window, or twice, or not at all, changes the loss.
     */
    private static float logit(int token, int position, int candidate) {
        return (float) (Math.sin(token * 3 + candidate * 1.7) * 2 + 0.3 * position * ((candidate + token) % 3));
    }

    private static FakeModel model(int context) {
        return new FakeModel(VOCAB, context, null, (tokens, position, out, offset) -> {
            for (int j = 0; j < VOCAB; j++) {
                out[offset + j] = logit(tokens[position], position, j);
            }
        });
    }

    /**
     * The loss by the definition, computed another way: for each target, find the window that
     * scores it (the first whose end is beyond it) and take -log of the softmax directly.
     */
    private static double expectedLoss(int[] ids, int window, int stride) {
        int n = ids.length;
        double sum = 0;
        for (int p = 1; p < n; p++) {
            int begin = 0;
            while (Math.min(begin + window, n) <= p) {
                begin += stride;
            }
            int position = p - 1 - begin;
            double z = 0;
            for (int j = 0; j < VOCAB; j++) {
                z += Math.exp(logit(ids[p - 1], position, j));
            }
            sum += -Math.log(Math.exp(logit(ids[p - 1], position, ids[p])) / z);
        }
        return sum / (n - 1);
    }

    private static int expectedWindows(int n, int window, int stride) {
        int windows = 1;
        for (int begin = 0; begin + window < n; begin += stride) {
            windows++;
        }
        return windows;
    }

    @Test
    void lossEqualsTheDefinitionForManyWindowings() {
        long seed = 31;
        System.out.println("ScorerTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        int context = 8;
        for (int n : new int[] {2, 3, 7, 8, 9, 15, 16, 17, 40}) {
            int[] ids = random.ints(n, 0, VOCAB).toArray();
            for (int w = 2; w <= context; w++) {
                for (int stride = 1; stride < w; stride++) {
                    int window = w;
                    for (int chunk : new int[] {1, 3, 100}) {
                        FakeModel model = model(context);
                        Scorer.Score score = new Scorer(model, window, stride, chunk).score(ids);
                        String what = "n=" + n + " window=" + window + " stride=" + stride + " chunk=" + chunk;
                        assertThat(score.loss()).as(what).isCloseTo(expectedLoss(ids, window, stride), within(1e-9));
                        assertThat(score.targets()).as(what).isEqualTo(n - 1);
                        assertThat(score.tokens()).isEqualTo(n);
                        assertThat(score.windows()).as(what).isEqualTo(expectedWindows(n, window, stride));
                        assertThat(score.perplexity()).isCloseTo(Math.exp(score.loss()), within(1e-9));
                        // the model never holds more than the window
                        assertThat(model.calls).allSatisfy(c -> assertThat(c.startPosition() + c.count()).isLessThanOrEqualTo(window));
                    }
                }
            }
        }
    }

    @Test
    void eachTargetIsScoredExactlyOnce() {
        // with logits all zero, each target's loss is log(V): any double or missed target would show in the count
        int n = 23;
        int[] ids = new int[n];
        int[] rowsWithLogits = {0};
        FakeModel model = new FakeModel(VOCAB, 8, null, (tokens, position, out, offset) -> java.util.Arrays.fill(out, offset, offset + VOCAB, 0f));
        Scorer.Score score = new Scorer(model, 8, 3, 2).score(ids);
        for (FakeModel.Call call : model.calls) {
            if (call.all()) {
                rowsWithLogits[0] += call.count();
            }
        }
        assertThat(rowsWithLogits[0]).isEqualTo(n - 1);
        assertThat(score.loss()).isCloseTo(Math.log(VOCAB), within(1e-12));
    }

    @Test
    void defaultsAreTheContextAndHalfOfIt() {
        Scorer scorer = new Scorer(model(10));
        assertThat(scorer.window()).isEqualTo(10);
        assertThat(scorer.stride()).isEqualTo(5);
    }

    @Test
    void logSoftmaxIsStableForHugeLogits() {
        float[] logits = {1000f, 999f, -1000f};
        double expected = Math.log(1 + Math.exp(-1) + Math.exp(-2000)) + 1;
        assertThat(Scorer.negativeLogLikelihood(logits, 0, 3, 1)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void badArgumentsAreRefused() {
        FakeModel model = model(8);
        assertThatThrownBy(() -> new Scorer(model, 9, 4)).hasMessageContaining("window");
        assertThatThrownBy(() -> new Scorer(model, 8, 8)).hasMessageContaining("stride");
        assertThatThrownBy(() -> new Scorer(model, 8, 0)).hasMessageContaining("stride");
        Scorer scorer = new Scorer(model);
        assertThatThrownBy(() -> scorer.score(new int[] {1})).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> scorer.score(new int[] {1, 7})).hasMessage("token id 7 at index 1 is outside the vocabulary of 7");
        assertThatThrownBy(() -> scorer.score("text")).isInstanceOf(IllegalStateException.class);
    }
}
