package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * {@link ModelComparison} against its definition computed another way: for each target, the window
 * that scores it found directly, the two softmaxes taken as plain probabilities, KL summed from them.
 * The fake models' logits depend on the position inside the window, so a target compared in the
 * wrong window changes every measure.
 */
class ModelComparisonTest {
    private static final int VOCAB = 7;

    private static float reference(int token, int position, int candidate) {
        return (float) (Math.sin(token * 3 + candidate * 1.7) * 2 + 0.3 * position * ((candidate + token) % 3));
    }

    private static float perturbed(int token, int position, int candidate) {
        return reference(token, position, candidate) + (float) (1.5 * Math.cos(candidate * 2.3 + token + position));
    }

    private static FakeModel model(boolean perturb) {
        return new FakeModel(VOCAB, 8, null, (tokens, position, out, offset) -> {
            for (int j = 0; j < VOCAB; j++) {
                out[offset + j] = perturb ? perturbed(tokens[position], position, j) : reference(tokens[position], position, j);
            }
        });
    }

    private static double[] softmax(boolean perturb, int token, int position) {
        double[] p = new double[VOCAB];
        double sum = 0;
        for (int j = 0; j < VOCAB; j++) {
            p[j] = Math.exp(perturb ? perturbed(token, position, j) : reference(token, position, j));
            sum += p[j];
        }
        for (int j = 0; j < VOCAB; j++) {
            p[j] /= sum;
        }
        return p;
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return best;
    }

    @Test
    void measuresFollowTheDefinition() {
        int[] ids = {3, 1, 4, 1, 5, 2, 6, 5, 3, 5, 0, 2, 6, 4, 3, 3, 1, 0, 2};
        int window = 8;
        int stride = 3;
        ModelComparison.Result r = new ModelComparison(model(false), model(true), window, stride).compare(ids);
        double kl = 0;
        double klMax = 0;
        int same = 0;
        double nllP = 0;
        double nllQ = 0;
        int n = ids.length;
        for (int t = 1; t < n; t++) {
            int begin = 0;
            while (Math.min(begin + window, n) <= t) {
                begin += stride;
            }
            // the fake session's positions count from the window start
            double[] p = softmax(false, ids[t - 1], t - 1 - begin);
            double[] q = softmax(true, ids[t - 1], t - 1 - begin);
            double k = 0;
            for (int j = 0; j < VOCAB; j++) {
                k += p[j] * Math.log(p[j] / q[j]);
            }
            kl += k;
            klMax = Math.max(klMax, k);
            same += argmax(p) == argmax(q) ? 1 : 0;
            nllP -= Math.log(p[ids[t]]);
            nllQ -= Math.log(q[ids[t]]);
        }
        int targets = n - 1;
        assertThat(r.targets()).isEqualTo(targets);
        assertThat(r.meanKlDivergence()).isCloseTo(kl / targets, within(1e-9)).isGreaterThan(0.01);
        assertThat(r.maxKlDivergence()).isCloseTo(klMax, within(1e-9));
        assertThat(r.sameTopToken()).isEqualTo((double) same / targets).isLessThan(1.0);
        assertThat(r.referencePerplexity()).isCloseTo(Math.exp(nllP / targets), within(1e-9));
        assertThat(r.perplexity()).isCloseTo(Math.exp(nllQ / targets), within(1e-9));
        assertThat(r.perplexityRatio()).isCloseTo(Math.exp((nllQ - nllP) / targets), within(1e-9));
    }

    @Test
    void aModelAgainstItselfHasNoDivergence() {
        int[] ids = {3, 1, 4, 1, 5, 2, 6, 5, 3};
        ModelComparison.Result r = new ModelComparison(model(false), model(false), 8, 4).compare(ids);
        assertThat(r.meanKlDivergence()).isEqualTo(0.0);
        assertThat(r.sameTopToken()).isEqualTo(1.0);
        assertThat(r.perplexityRatio()).isEqualTo(1.0);
    }

    @Test
    void refusesMismatchedModelsAndBadInput() {
        FakeModel other = new FakeModel(VOCAB + 1, 8, null, (tokens, position, out, offset) -> { });
        assertThatThrownBy(() -> new ModelComparison(model(false), other, 8, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabularies differ");
        assertThatThrownBy(() -> new ModelComparison(model(false), model(true), 9, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
        ModelComparison c = new ModelComparison(model(false), model(true), 8, 4);
        assertThatThrownBy(() -> c.compare(new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> c.compare(new int[] {1, VOCAB}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
    }
}
