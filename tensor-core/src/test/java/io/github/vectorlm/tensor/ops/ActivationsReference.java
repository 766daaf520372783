package io.github.vectorlm.tensor.ops;

/** Scalar twin of {@link Activations}, computed in double and rounded once. */
public final class ActivationsReference {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private ActivationsReference() {
    }

    /** Same contract as {@link Activations#geluErf}. */
    public static void geluErf(float[] x, int offset, int n) {
        Elements.requireRange("gelu", x.length, offset, n);
        for (int i = offset; i < offset + n; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * erfc(-v / Math.sqrt(2)));
        }
    }

    /** Same contract as {@link Activations#geluTanh}. */
    public static void geluTanh(float[] x, int offset, int n) {
        Elements.requireRange("gelu", x.length, offset, n);
        for (int i = offset; i < offset + n; i++) {
            double v = x[i];
            x[i] = (float) (0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))));
        }
    }

    /**
     * The complementary error function to about 1e-14 relative: the Maclaurin series of erf for
     * |z| &lt; 2.5, the Laplace continued fraction of erfc beyond.
     */
    public static double erfc(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        if (Math.abs(z) < 2.5) {
            double term = z;
            double sum = z;
            double z2 = z * z;
            for (int n = 1; n < 200; n++) {
                term *= -z2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 1 - TWO_OVER_SQRT_PI * sum;
        }
        if (z < 0) {
            return 2 - erfc(-z);
        }
        if (z > 27) {
            return 0;
        }
        // erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))), evaluated bottom-up.
        double fraction = z;
        for (int k = 80; k >= 1; k--) {
            fraction = z + (k / 2.0) / fraction;
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / fraction;
    }
}
