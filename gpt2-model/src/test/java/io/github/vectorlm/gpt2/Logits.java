package io.github.vectorlm.gpt2;

import static org.assertj.core.api.Assertions.fail;

/**
 * The logits comparison every test uses: row by row, {@code |actual − expected| ≤ rel · max(1, max|expected row|)}
 * for every element, so the tolerance is relative to the row's scale with a floor of 1 (logits near
 * zero are compared absolutely, never with a vanishing tolerance).
 */
final class Logits {
    private Logits() {
    }

    /**
     * Compares {@code actual} (rows × vocab floats from {@code offset}) with {@code expected}, and
     * prints the largest error seen relative to its row's scale (how much of the tolerance was used).
     */
    static void assertClose(String what, float[] actual, int offset, double[][] expected, double rel) {
        double worst = 0;
        for (int r = 0; r < expected.length; r++) {
            worst = Math.max(worst, assertRowClose(what + " row " + r, actual, offset + r * expected[r].length,
                    expected[r], rel));
        }
        System.out.printf("%s: %d rows, largest error %.2e of the row scale (tolerance %.0e)%n", what,
                expected.length, worst, rel);
    }

    /** One row; returns the largest error divided by the row's scale. */
    static double assertRowClose(String what, float[] actual, int offset, double[] expected, double rel) {
        double scale = 1;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tol = rel * scale;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[offset + i] - expected[i]);
            if (!(err <= worst)) {
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
    static double[][] rows(float[] flat, int rows, int cols) {
        double[][] out = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = flat[r * cols + c];
            }
        }
        return out;
    }

    /** Mean cross-entropy of ids[1..] given the logits of ids[..n-1], in double. */
    static double meanLoss(float[] logits, int[] ids, int vocab) {
        double total = 0;
        for (int t = 0; t + 1 < ids.length; t++) {
            int row = t * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[row + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[row + v] - max);
            }
            total += max + Math.log(sum) - logits[row + ids[t + 1]];
        }
        return total / (ids.length - 1);
    }
}
