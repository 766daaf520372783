package io.github.vectorlm.tensor.ops;

/**
 * Precomputed cosines and sines for rotary position embeddings, as Hugging Face GPT-NeoX computes
 * them in float32: {@code inv_freq[i] = 1 / base^(2i / rotaryDims)}, angle = position ·
 * {@code inv_freq[i]}. Immutable; shared by every session of a model.
 */
public final class RopeTable {
    private final int rotaryDims;
    private final int maxPositions;
    private final float[] cos;
    private final float[] sin;

    private RopeTable(int rotaryDims, int maxPositions, float[] cos, float[] sin) {
        this.rotaryDims = rotaryDims;
        this.maxPositions = maxPositions;
        this.cos = cos;
        this.sin = sin;
    }

    /**
     * The table for {@code rotaryDims} rotated dimensions of each head (even, ≥ 2), positions
     * {@code [0, maxPositions)} and the given base (10000 for GPT-NeoX and Pythia).
     */
    public static RopeTable create(int rotaryDims, double base, int maxPositions) {
        if (rotaryDims < 2 || rotaryDims % 2 != 0) {
            throw new IllegalArgumentException("rotary dimensions must be even and at least 2, got " + rotaryDims);
        }
        if (maxPositions < 1 || !(base > 0)) {
            throw new IllegalArgumentException("bad rotary table: positions " + maxPositions + ", base " + base);
        }
        int half = rotaryDims / 2;
        float[] invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) rotaryDims;
            invFreq[i] = 1f / (float) Math.pow((float) base, exponent);
        }
        float[] cos = new float[Math.multiplyExact(maxPositions, half)];
        float[] sin = new float[cos.length];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        return new RopeTable(rotaryDims, maxPositions, cos, sin);
    }

    /** Rotated dimensions per head. */
    public int rotaryDims() {
        return rotaryDims;
    }

    /** Positions the table covers. */
    public int maxPositions() {
        return maxPositions;
    }

    /** cos of angle {@code i} (i &lt; rotaryDims/2) at {@code position}. */
    public float cos(int position, int i) {
        return cos[position * (rotaryDims / 2) + i];
    }

    /** sin of angle {@code i} (i &lt; rotaryDims/2) at {@code position}. */
    public float sin(int position, int i) {
        return sin[position * (rotaryDims / 2) + i];
    }

    float[] cosArray() {
        return cos;
    }

    float[] sinArray() {
        return sin;
    }
}
