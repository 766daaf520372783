package io.github.vectorlm.testing;

import io.github.vectorlm.tensor.ops.ActivationsReference;

/** Scalar math for the model tests' own double-precision references, from tensor-core's scalar twins. */
public final class Oracles {
    private Oracles() {
    }

    /** The complementary error function in double precision ({@code ActivationsReference.erfc}). */
    public static double erfc(double z) {
        return ActivationsReference.erfc(z);
    }
}
