package io.github.vectorlm.tensor.ops;

/** Element-wise activations, in place. */
public final class Activations {
    private Activations() {
    }

    /** Exact GELU, {@code x·Φ(x) = 0.5·x·(1 + erf(x/√2))}: PyTorch's default {@code nn.GELU()}, GPT-NeoX. */
    public static void geluErf(float[] x, int offset, int n) {
        ActivationsReference.geluErf(x, offset, n);
    }

    /**
     * GELU's tanh approximation, {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}: GPT-2's
     * {@code gelu_new}, PyTorch's {@code approximate="tanh"}.
     */
    public static void geluTanh(float[] x, int offset, int n) {
        ActivationsReference.geluTanh(x, offset, n);
    }
}
