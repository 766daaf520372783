package io.github.vectorlm.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static float[] logitsOf(double... probabilities) {
        float[] logits = new float[probabilities.length];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.log(probabilities[i]);
        }
        return logits;
    }

    private static double[] frequencies(Sampler sampler, float[] logits, int draws) {
        double[] counts = new double[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(logits)]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= draws;
        }
        return counts;
    }

    private static float[] randomLogits(SplittableRandom random, int n) {
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        return logits;
    }

    @Test
    void greedyIsTheFirstLargestLogit() {
        Sampler greedy = new Sampler(5, SamplingOptions.greedy());
        assertThat(greedy.sample(new float[] {1, 3, 2, 3, -1})).isEqualTo(1);
        assertThat(greedy.sample(new float[] {Float.NEGATIVE_INFINITY, -5, -7, -6, -9})).isEqualTo(1);
        // only the first vocabSize logits count
        assertThat(new Sampler(2, SamplingOptions.greedy()).sample(new float[] {0, 1, 9})).isEqualTo(1);
    }

    @Test
    void topKOfOneIsGreedy() {
        long seed = 11;
        System.out.println("SamplerTest.topKOfOneIsGreedy seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        Sampler greedy = new Sampler(1000, SamplingOptions.greedy());
        for (double temperature : new double[] {0.1, 1, 5}) {
            Sampler top1 = new Sampler(1000, new SamplingOptions(temperature, 1, 1, random.nextLong()));
            for (int trial = 0; trial < 200; trial++) {
                float[] logits = randomLogits(random, 1000);
                assertThat(top1.sample(logits)).isEqualTo(greedy.sample(logits));
            }
        }
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        float[] logits = logitsOf(0.2, 0.2, 0.2, 0.2, 0.2);
        SamplingOptions options = new SamplingOptions(1.0, 0, 1, 1234);
        Sampler a = new Sampler(5, options);
        Sampler b = new Sampler(5, options);
        Sampler c = new Sampler(5, options.withSeed(1235));
        int[] ta = new int[50];
        int[] tb = new int[50];
        int[] tc = new int[50];
        for (int i = 0; i < 50; i++) {
            ta[i] = a.sample(logits);
            tb[i] = b.sample(logits);
            tc[i] = c.sample(logits);
        }
        assertThat(ta).isEqualTo(tb);
        assertThat(ta).isNotEqualTo(tc);
    }

    /** The documented draw, reproduced here: SplitMix64's first number of seed 42 picks the token. */
    @Test
    void theDrawIsTheDocumentedOne() {
        long state = 42 + 0x9E3779B97F4A7C15L;
        long z = state;
        z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
        z = (z ^ z >>> 27) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        double u = (z >>> 11) * 0x1.0p-53;
        // java.util.SplittableRandom is SplitMix64 too: an independent check of the mixing above
        assertThat(new SplittableRandom(42).nextDouble()).isEqualTo(u);
        double[] p = {0.1, 0.2, 0.3, 0.4};
        int expected = 0;
        double running = 0;
        for (int i = 0; i < p.length; i++) {
            running += p[i];
            if (running > u) {
                expected = i;
                break;
            }
        }
        assertThat(new Sampler(4, SamplingOptions.sample(1, 42)).sample(logitsOf(p))).isEqualTo(expected);
    }

    @Test
    void samplesFollowTheDistribution() {
        double[] p = {0.5, 0.3, 0.2};
        double[] f = frequencies(new Sampler(3, SamplingOptions.sample(1, 7)), logitsOf(p), 100_000);
        // binomial standard deviation is at most 0.0016 at 100k draws; 0.01 is more than 6 of them
        for (int i = 0; i < 3; i++) {
            assertThat(f[i]).as("token %d", i).isCloseTo(p[i], within(0.01));
        }
        // temperature 2 flattens: p^(1/2), renormalized
        double z = Math.sqrt(0.5) + Math.sqrt(0.3) + Math.sqrt(0.2);
        double[] g = frequencies(new Sampler(3, SamplingOptions.sample(2, 8)), logitsOf(p), 100_000);
        for (int i = 0; i < 3; i++) {
            assertThat(g[i]).as("token %d at T=2", i).isCloseTo(Math.sqrt(p[i]) / z, within(0.01));
        }
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float[] logits = logitsOf(0.15, 0.5, 0.05, 0.3);
        // sorted: 0.5 (id 1), 0.3 (id 3), 0.15 (id 0), 0.05 (id 2); cumulative 0.5, 0.8, 0.95, 1.0
        assertThat(drawable(logits, 1, 0.49)).containsExactly(false, true, false, false);
        assertThat(drawable(logits, 1, 0.79)).containsExactly(false, true, false, true);
        assertThat(drawable(logits, 1, 0.81)).containsExactly(true, true, false, true);
        assertThat(drawable(logits, 1, 1.0)).containsExactly(true, true, true, true);
        double[] f = frequencies(new Sampler(4, new SamplingOptions(1, 0, 0.79, 3)), logits, 100_000);
        assertThat(f[1]).isCloseTo(0.5 / 0.8, within(0.01));
        assertThat(f[3]).isCloseTo(0.3 / 0.8, within(0.01));
        assertThat(f[0] + f[2]).isZero();
    }

    @Test
    void topKComesBeforeTopP() {
        float[] logits = logitsOf(0.4, 0.3, 0.2, 0.1);
        // top-k 2 leaves 0.4 and 0.3, renormalized 0.571 and 0.429: top-p 0.5 keeps the first only
        // (top-p first would have kept both)
        assertThat(drawable(logits, new SamplingOptions(1, 2, 0.5, 0))).containsExactly(true, false, false, false);
        assertThat(drawable(logits, new SamplingOptions(1, 2, 1, 0))).containsExactly(true, true, false, false);
    }

    @Test
    void topKKeepsTiesAtTheKthValue() {
        float[] logits = {1, 5, 3, 3, 0, 3};
        assertThat(drawable(logits, new SamplingOptions(1, 2, 1, 0))).containsExactly(false, true, true, true, false, true);
    }

    @Test
    void nucleusMatchesAFullSortOnLargeVocabularies() {
        long seed = 99;
        System.out.println("SamplerTest.nucleusMatchesAFullSortOnLargeVocabularies seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        int vocab = 50257;
        for (int trial = 0; trial < 30; trial++) {
            float[] logits = randomLogits(random, vocab);
            if (trial % 3 == 0) {
                for (int i = 0; i < vocab; i += 7) {
                    logits[i] = logits[0]; // many ties
                }
            }
            double temperature = 0.5 + random.nextDouble() * 1.5;
            double topP = 0.05 + random.nextDouble() * 0.94;
            int topK = trial % 2 == 0 ? 0 : 1 + random.nextInt(5000);
            boolean[] expected = bruteForceKept(logits, temperature, topK, topP);
            boolean[] actual = new Sampler(vocab, new SamplingOptions(temperature, topK, topP, 0)).drawable(logits);
            assertThat(actual).as("trial %d: T=%s k=%d p=%s", trial, temperature, topK, topP).isEqualTo(expected);
        }
    }

    /** Temperature, top-k, top-p by the book: sort everything. */
    private static boolean[] bruteForceKept(float[] logits, double temperature, int topK, double topP) {
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
        boolean[] kept = new boolean[n];
        double max = logits[order[0]];
        double kth = topK > 0 ? logits[order[topK - 1]] : Double.NEGATIVE_INFINITY;
        List<Integer> survivors = new ArrayList<>();
        double total = 0;
        for (int i : order) {
            if (logits[i] >= kth) {
                survivors.add(i);
                total += Math.exp((logits[i] - max) / temperature);
            }
        }
        double before = 0;
        for (int i : survivors) {
            if (before >= topP * total) {
                break;
            }
            kept[i] = true;
            before += Math.exp((logits[i] - max) / temperature);
        }
        return kept;
    }

    @Test
    void lowTemperatureIsGreedyAndHighIsNearlyUniform() {
        long seed = 5;
        SplittableRandom random = new SplittableRandom(seed);
        float[] logits = {0.0f, 0.5f, 1.0f, 0.9f};
        Sampler cold = new Sampler(4, SamplingOptions.sample(1e-3, random.nextLong()));
        for (int i = 0; i < 1000; i++) {
            assertThat(cold.sample(logits)).isEqualTo(2);
        }
        double[] f = frequencies(new Sampler(4, SamplingOptions.sample(1e4, 6)), logits, 100_000);
        for (double x : f) {
            assertThat(x).isCloseTo(0.25, within(0.01));
        }
    }

    @Test
    void sampleAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        float[] logits = randomLogits(new SplittableRandom(1), 50257);
        Sampler sampler = new Sampler(50257, new SamplingOptions(0.8, 200, 0.9, 1));
        Sampler nucleus = new Sampler(50257, new SamplingOptions(0.8, 0, 0.9, 1));
        int sink = 0;
        for (int i = 0; i < 200; i++) { // warm up: let the JIT compile it
            sink += sampler.sample(logits) + nucleus.sample(logits);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100; i++) {
            sink += sampler.sample(logits) + nucleus.sample(logits);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isNotNegative();
        assertThat(allocated).as("bytes allocated by 200 samples").isLessThan(1024);
    }

    @Test
    void badInputsAreRefused() {
        assertThatThrownBy(() -> new SamplingOptions(-1, 0, 1, 0)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new SamplingOptions(1, -1, 1, 0)).hasMessageContaining("top-k");
        assertThatThrownBy(() -> new SamplingOptions(1, 0, 0, 0)).hasMessageContaining("top-p");
        assertThatThrownBy(() -> new SamplingOptions(1, 0, 1.5, 0)).hasMessageContaining("top-p");
        Sampler sampler = new Sampler(3, SamplingOptions.sample(1, 0));
        assertThatThrownBy(() -> sampler.sample(new float[2])).hasMessageContaining("2 entries");
        assertThatThrownBy(() -> sampler.sample(new float[] {0, Float.NaN, 0})).hasMessageContaining("logits[1] is NaN");
        float ninf = Float.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> sampler.sample(new float[] {ninf, ninf, ninf})).hasMessageContaining("-Infinity");
    }

    private static boolean[] drawable(float[] logits, double temperature, double topP) {
        return drawable(logits, new SamplingOptions(temperature, 0, topP, 0));
    }

    private static boolean[] drawable(float[] logits, SamplingOptions options) {
        return new Sampler(logits.length, options).drawable(logits);
    }
}
