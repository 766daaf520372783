package io.github.vectorlm.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * How the model tests compare logits. "Within {@code rel} relative" means, for every row (position):
 * {@code |actual_i − expected_i| ≤ rel · max(1, max_j |expected_j|)} for every logit i — the error is
 * measured against the row's largest logit, with a floor of 1 so that rows of tiny logits are not
 * held to a vanishing tolerance. NaN counts as the worst error.
 */
public final class Logits {
    private Logits() {
    }

    /**
     * Compares {@code rows × vocab} floats of {@code actual} from {@code offset} with {@code expected},
     * and prints the largest error seen relative to its row's scale (how much of the tolerance was used).
     */
    public static void assertClose(String what, float[] actual, int offset, double[][] expected, double rel) {
        double worst = 0;
        for (int r = 0; r < expected.length; r++) {
            worst = Math.max(worst, assertRowClose(what + ", position " + r, actual, offset + r * expected[r].length,
                    expected[r], rel));
        }
        System.out.printf("%s: %d positions, largest error %.2e of the row scale (tolerance %.0e)%n", what,
                expected.length, worst, rel);
    }

    /** One row; returns its largest error divided by the row's scale. */
    public static double assertRowClose(String what, float[] actual, int offset, double[] expected, double rel) {
        double scale = 1;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tol = rel * scale;
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[offset + i] - expected[i]);
            if (!(err <= worst)) { // NaN counts as the worst
                worst = err;
                worstAt = i;
            }
        }
        if (!(worst <= tol)) {
            fail("%s: logit %d is %s, expected %s (error %.3g > tolerance %.3g = %.0e × %.4g)", what, worstAt,
                    actual[offset + worstAt], expected[worstAt], worst, tol, rel, scale);
        }
        return worst / scale;
    }

    /** A flat [rows, cols] array as rows of doubles. */
    public static double[][] rows(float[] flat, int rows, int cols) {
        double[][] out = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = flat[r * cols + c];
            }
        }
        return out;
    }

    /** {@code −log softmax(logits[offset .. offset+vocab))[target]}, in double. */
    public static double crossEntropy(float[] logits, int offset, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(logits[offset + v] - max);
        }
        return max + Math.log(sum) - logits[offset + target];
    }

    /** Mean cross-entropy of ids[1..] given the logits of ids[..n-1] ([n, vocab] rows), in double. */
    public static double meanLoss(float[] logits, int[] ids, int vocab) {
        double total = 0;
        for (int t = 0; t + 1 < ids.length; t++) {
            total += crossEntropy(logits, t * vocab, vocab, ids[t + 1]);
        }
        return total / (ids.length - 1);
    }
    /**
     * Where the expected rows (an oracle's logits, [rows][vocab]) have a clear top token, leading
     * the runner-up by at least {@code gap}, {@code ours} (flat [rows, vocab]) has the same one.
     */
    public static void assertSameTopToken(String what, float[] ours, double[][] theirs, double gap) {
        int vocab = theirs[0].length;
        for (int r = 0; r < theirs.length; r++) {
            int best = 0;
            double second = Double.NEGATIVE_INFINITY;
            for (int v = 1; v < vocab; v++) {
                if (theirs[r][v] > theirs[r][best]) {
                    second = theirs[r][best];
                    best = v;
                } else {
                    second = Math.max(second, theirs[r][v]);
                }
            }
            if (theirs[r][best] - second < gap) {
                continue;
            }
            int ourBest = 0;
            for (int v = 1; v < vocab; v++) {
                if (ours[r * vocab + v] > ours[r * vocab + ourBest]) {
                    ourBest = v;
                }
            }
            assertThat(ourBest).as("%s position %d: top token", what, r).isEqualTo(best);
        }
    }
}
