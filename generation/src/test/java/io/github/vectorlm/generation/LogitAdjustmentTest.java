package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Logit bias, presence and frequency penalties, and reported log-probabilities, on a bigram model. */
class LogitAdjustmentTest {
    private static final int VOCAB = 40;

    /** Logits depend on the last token only; row {@code t} of the table. */
    private static FakeModel bigram(float[][] table) {
        return new FakeModel(VOCAB, 256, null, (tokens, position, out, offset) ->
                System.arraycopy(table[tokens[position]], 0, out, offset, VOCAB));
    }

    private static float[][] randomTable(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] table = new float[VOCAB][VOCAB];
        for (float[] row : table) {
            for (int j = 0; j < VOCAB; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
        return table;
    }

    @Test
    void aLargeBiasForcesAToken() {
        GenerationResult r = new Generator(bigram(randomTable(1))).generate(new int[] {3},
                GenerationOptions.greedy(10).withLogitBias(Map.of(17, 100f)), TokenListener.NONE);
        assertThat(r.ids()).containsOnly(17);
    }

    @Test
    void aLargeFrequencyPenaltyNeverRepeatsAToken() {
        float[][] table = new float[VOCAB][VOCAB];
        for (float[] row : table) {
            row[5] = 10; // without the penalty, greedy says 5 forever
        }
        FakeModel model = bigram(table);
        GenerationResult plain = new Generator(model).generate(new int[] {0}, GenerationOptions.greedy(20),
                TokenListener.NONE);
        assertThat(plain.ids()).containsOnly(5);
        GenerationResult penalised = new Generator(model).generate(new int[] {0},
                GenerationOptions.greedy(20).withPenalties(0, 100), TokenListener.NONE);
        assertThat(Arrays.stream(penalised.ids()).distinct().count()).isEqualTo(20);
        GenerationResult presence = new Generator(model).generate(new int[] {0},
                GenerationOptions.greedy(20).withPenalties(100, 0), TokenListener.NONE);
        assertThat(presence.ids()).isEqualTo(penalised.ids());
    }

    @Test
    void penaltiesFollowOpenAisFormula() {
        // row: token 1 slightly ahead of 2; after 1 is generated twice, 2 wins only if the penalty is counted per time
        float[][] table = new float[VOCAB][VOCAB];
        for (float[] row : table) {
            Arrays.fill(row, -50);
            row[1] = 1.0f;
            row[2] = 0.5f;
        }
        FakeModel model = bigram(table);
        // frequency 0.3: after one 1, its logit is 0.7 (> 0.5): 1 again; after two, 0.4 (< 0.5): 2
        GenerationResult f = new Generator(model).generate(new int[] {0},
                GenerationOptions.greedy(3).withPenalties(0, 0.3), TokenListener.NONE);
        assertThat(f.ids()).containsExactly(1, 1, 2);
        // presence 0.3: 1 falls to 0.7 once and stays there: 1 forever
        GenerationResult p = new Generator(model).generate(new int[] {0},
                GenerationOptions.greedy(3).withPenalties(0.3, 0), TokenListener.NONE);
        assertThat(p.ids()).containsExactly(1, 1, 1);
    }

    @Test
    void logprobsAreTheModelsOwnWhateverTheAdjustments() {
        float[][] table = randomTable(7);
        FakeModel model = bigram(table);
        List<TokenLogprobs> streamed = new ArrayList<>();
        TokenListener listener = new TokenListener() {
            @Override
            public void onToken(int id, String text) {
            }

            @Override
            public void onToken(int id, String text, TokenLogprobs logprobs) {
                if (logprobs != null) {
                    streamed.add(logprobs);
                }
            }
        };
        GenerationResult r = new Generator(model).generate(new int[] {2},
                GenerationOptions.of(15, SamplingOptions.sample(1.0, 99)).withPenalties(0.5, 0.5)
                        .withLogitBias(Map.of(4, 3f)).withLogprobs(3), listener);
        assertThat(r.logprobs()).hasSize(15).isEqualTo(streamed);
        int previous = 2;
        for (int i = 0; i < 15; i++) {
            float[] row = table[previous];
            double logSumExp = 0;
            for (float l : row) {
                logSumExp += Math.exp(l);
            }
            logSumExp = Math.log(logSumExp);
            TokenLogprobs lp = r.logprobs().get(i);
            assertThat(lp.id()).isEqualTo(r.ids()[i]);
            assertThat(lp.logprob()).isCloseTo(row[lp.id()] - logSumExp, within(1e-9));
            Integer[] order = new Integer[VOCAB];
            Arrays.setAll(order, j -> j);
            Arrays.sort(order, (a, b) -> Float.compare(row[b], row[a]));
            assertThat(lp.topIds()).containsExactly(order[0], order[1], order[2]);
            for (int k = 0; k < 3; k++) {
                assertThat(lp.topLogprobs()[k]).isCloseTo(row[order[k]] - logSumExp, within(1e-9));
            }
            previous = r.ids()[i];
        }
    }

    @Test
    void topAlternativesBreakTiesByLowerIdAndCanExceedNothing() {
        float[] row = {1, 3, 3, 0, 3};
        TokenLogprobs lp = TokenLogprobs.of(row, 0, 5, 0, 4);
        assertThat(lp.topIds()).containsExactly(1, 2, 4, 0);
        assertThat(TokenLogprobs.of(row, 0, 5, 3, 9).topIds()).containsExactly(1, 2, 4, 0, 3);
        assertThat(TokenLogprobs.of(row, 0, 5, 3, 0).topIds()).isEmpty();
        double total = Arrays.stream(TokenLogprobs.of(row, 0, 5, 3, 5).topLogprobs()).map(Math::exp).sum();
        assertThat(total).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void badAdjustmentsAreRefusedWithTheirName() {
        FakeModel model = bigram(randomTable(3));
        assertThatThrownBy(() -> new Generator(model).generate(new int[] {1},
                GenerationOptions.greedy(3).withLogitBias(Map.of(VOCAB, 1f)), TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 40");
        assertThatThrownBy(() -> GenerationOptions.greedy(3).withPenalties(Double.NaN, 0))
                .hasMessageContaining("penalties must be finite");
        assertThatThrownBy(() -> GenerationOptions.greedy(3).withLogitBias(Map.of(1, Float.POSITIVE_INFINITY)))
                .hasMessageContaining("id 1");
        assertThatThrownBy(() -> GenerationOptions.greedy(3).withLogprobs(-2)).hasMessageContaining("logprobs");
    }
}
