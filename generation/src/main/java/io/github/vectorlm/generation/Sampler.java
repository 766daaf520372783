package io.github.vectorlm.generation;

import java.util.Objects;

/**
 * Picks the next token from a row of logits: greedy, or sampled after temperature, top-k and
 * top-p (in that order, as Hugging Face's {@code generate} applies them). Every buffer is
 * allocated once, sized to the vocabulary; {@link #sample} allocates nothing. Not thread-safe: one
 * sampler per generation.
 *
 * <p>The draw, exactly (so that another implementation can reproduce it):
 * <ol>
 *   <li>greedy ({@code temperature == 0}): the lowest id among the largest logits; no random number is used;</li>
 *   <li>weights {@code w[i] = exp((logit[i] - max) / temperature)} in double precision, for the
 *       tokens top-k keeps ({@code logit[i] >=} the k-th largest logit), 0 for the others;</li>
 *   <li>top-p: order the tokens by weight, largest first, ties by lower id; keep each token while
 *       the weight of the tokens before it is below {@code topP ×} the total weight (so the first
 *       is always kept); the others get weight 0;</li>
 *   <li>{@code u = nextDouble() × (sum of the weights)}; the token is the first id, counting up
 *       from 0, at which the running sum of weights exceeds {@code u}.</li>
 * </ol>
 * The random numbers come from SplitMix64 (Steele, Lea, Flood 2014): the state starts at the
 * seed; each step adds {@code 0x9E3779B97F4A7C15} to it and mixes it with
 * {@code z = (z ^ z>>>30) * 0xBF58476D1CE4E5B9; z = (z ^ z>>>27) * 0x94D049BB133111EB; z ^= z>>>31};
 * {@code nextDouble()} is {@code (z >>> 11) × 2^-53}. One number is drawn per sampled token.
 */
public final class Sampler {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** Weights fall in (0, 1]; bucket b holds [2^-b, 2^(1-b)), the last one everything smaller. */
    private static final int BUCKETS = 64;

    private final int vocabSize;
    private final SamplingOptions options;
    private final double[] weights;
    private final float[] selection;
    private final long[] candidates;
    private final int[] candidateIds;
    private final double[] bucketMass = new double[BUCKETS];
    private long state;

    /** A sampler over the first {@code vocabSize} logits of each row. */
    public Sampler(int vocabSize, SamplingOptions options) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocabSize);
        }
        this.vocabSize = vocabSize;
        this.options = Objects.requireNonNull(options, "options");
        this.state = options.seed();
        boolean sampling = !options.isGreedy();
        this.weights = sampling ? new double[vocabSize] : null;
        this.selection = sampling && options.topK() > 0 && options.topK() < vocabSize ? new float[vocabSize] : null;
        this.candidates = sampling && options.topP() < 1 ? new long[vocabSize] : null;
        this.candidateIds = candidates != null ? new int[vocabSize] : null;
    }

    /** The options this sampler was made with. */
    public SamplingOptions options() {
        return options;
    }

    /** The number of logits read from each row. */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * The next token for {@code logits[0 .. vocabSize)}.
     *
     * @throws IllegalArgumentException if {@code logits} is too short, holds a NaN, or no finite logit
     */
    public int sample(float[] logits) {
        if (logits.length < vocabSize) {
            throw new IllegalArgumentException("logits has " + logits.length + " entries, expected at least " + vocabSize);
        }
        int argmax = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            float l = logits[i];
            if (l > max) {
                max = l;
                argmax = i;
            } else if (Float.isNaN(l)) {
                throw new IllegalArgumentException("logits[" + i + "] is NaN");
            }
        }
        if (argmax < 0) {
            throw new IllegalArgumentException("every logit is -Infinity");
        }
        if (options.isGreedy() || max == Float.POSITIVE_INFINITY) {
            return argmax;
        }
        double total = weigh(logits, max);
        double u = nextDouble() * total;
        double running = 0;
        int last = argmax;
        for (int i = 0; i < vocabSize; i++) {
            double w = weights[i];
            if (w > 0) {
                running += w;
                last = i;
                if (running > u) {
                    return i;
                }
            }
        }
        return last; // rounding left u at or above the running total: the last token with weight
    }

    /** Fills {@code weights} (steps 2 and 3 of the class comment) and returns their sum. */
    private double weigh(float[] logits, float max) {
        float threshold = options.topK() > 0 && options.topK() < vocabSize ? kthLargest(logits, options.topK())
                : Float.NEGATIVE_INFINITY;
        double invTemperature = 1.0 / options.temperature();
        double total = 0;
        for (int i = 0; i < vocabSize; i++) {
            double w = logits[i] >= threshold ? Math.exp((logits[i] - (double) max) * invTemperature) : 0.0;
            weights[i] = w;
            total += w;
        }
        if (options.topP() < 1) {
            total = keepNucleus(total);
        }
        return total;
    }

    /** Which tokens a sampling sampler could draw from {@code logits} (weight above 0); for tests. */
    boolean[] drawable(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            max = Math.max(max, logits[i]);
        }
        weigh(logits, max);
        boolean[] out = new boolean[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            out[i] = weights[i] > 0;
        }
        return out;
    }

    /**
     * Zeroes the weights outside the nucleus and returns the weight kept. Only tokens in the
     * heaviest buckets (by power of two) that already hold {@code topP} of the weight can be in the
     * nucleus, so only those are sorted.
     */
    private double keepNucleus(double total) {
        double target = options.topP() * total;
        java.util.Arrays.fill(bucketMass, 0);
        for (int i = 0; i < vocabSize; i++) {
            double w = weights[i];
            if (w > 0) {
                bucketMass[bucket(w)] += w;
            }
        }
        int lastBucket = BUCKETS - 1;
        double mass = 0;
        for (int b = 0; b < BUCKETS; b++) {
            mass += bucketMass[b];
            if (mass >= target) {
                lastBucket = b;
                break;
            }
        }
        int count = 0;
        for (int i = 0; i < vocabSize; i++) {
            double w = weights[i];
            if (w > 0 && bucket(w) <= lastBucket) {
                // larger weight first, then lower id: weights are positive, so their bits order like them
                candidates[count] = Long.MAX_VALUE - Double.doubleToRawLongBits(w);
                candidateIds[count] = i;
                count++;
            }
        }
        sortCandidates(count);
        double before = 0;
        int kept = 0;
        while (kept < count && (kept == 0 || before < target)) {
            before += weights[candidateIds[kept]];
            kept++;
        }
        // the boundary token: everything heavier, or as heavy with an id no larger, is kept
        int boundaryId = candidateIds[kept - 1];
        double boundaryWeight = weights[boundaryId];
        double keptTotal = 0;
        for (int i = 0; i < vocabSize; i++) {
            double w = weights[i];
            if (w > boundaryWeight || w == boundaryWeight && i <= boundaryId) {
                keptTotal += w;
            } else {
                weights[i] = 0;
            }
        }
        return keptTotal;
    }

    private static int bucket(double w) {
        return Math.min(BUCKETS - 1, -Math.getExponent(w));
    }

    /** Heapsort of candidates[0, count) with candidateIds alongside, by (key, id) ascending; allocates nothing. */
    private void sortCandidates(int count) {
        for (int i = count / 2 - 1; i >= 0; i--) {
            siftDown(i, count);
        }
        for (int end = count - 1; end > 0; end--) {
            swap(0, end);
            siftDown(0, end);
        }
    }

    private void siftDown(int i, int size) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                return;
            }
            if (child + 1 < size && greater(child + 1, child)) {
                child++;
            }
            if (!greater(child, i)) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private boolean greater(int a, int b) {
        return candidates[a] != candidates[b] ? candidates[a] > candidates[b] : candidateIds[a] > candidateIds[b];
    }

    private void swap(int a, int b) {
        long k = candidates[a];
        candidates[a] = candidates[b];
        candidates[b] = k;
        int id = candidateIds[a];
        candidateIds[a] = candidateIds[b];
        candidateIds[b] = id;
    }

    /** The k-th largest of logits[0, vocabSize), by quickselect on a copy. */
    private float kthLargest(float[] logits, int k) {
        System.arraycopy(logits, 0, selection, 0, vocabSize);
        int lo = 0;
        int hi = vocabSize - 1;
        int target = k - 1; // index in descending order
        while (lo < hi) {
            int mid = lo + hi >>> 1;
            float pivot = median(selection[lo], selection[mid], selection[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (selection[i] > pivot) {
                    i++;
                }
                while (selection[j] < pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = selection[i];
                    selection[i] = selection[j];
                    selection[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return selection[target];
            }
        }
        return selection[target];
    }

    private static float median(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** The next double in [0, 1) from SplitMix64. */
    private double nextDouble() {
        state += GOLDEN_GAMMA;
        long z = state;
        z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
        z = (z ^ z >>> 27) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }
}
