package io.github.vectorlm.tensor.ops;

/** Scalar twin of {@link Attention}. */
public final class AttentionReference {
    private AttentionReference() {
    }

    /** Same contract as {@link Attention#causal}; needs no scratch. */
    public static void causal(float[] out, int outOffset, float[] q, int qOffset, int nNew, int startPosition,
            float[] keys, float[] values, int nHeads, int headDim) {
        Attention.checkArguments(out, outOffset, q, qOffset, nNew, startPosition, keys, values, nHeads, headDim);
        int width = nHeads * headDim;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] scores = new float[startPosition + nNew];
        for (int i = 0; i < nNew; i++) {
            int visible = startPosition + i + 1;
            for (int h = 0; h < nHeads; h++) {
                int query = qOffset + i * width + h * headDim;
                for (int t = 0; t < visible; t++) {
                    float dot = 0f;
                    for (int d = 0; d < headDim; d++) {
                        dot += q[query + d] * keys[t * width + h * headDim + d];
                    }
                    scores[t] = dot * scale;
                }
                SoftmaxReference.softmax(scores, 0, visible);
                int o = outOffset + i * width + h * headDim;
                for (int d = 0; d < headDim; d++) {
                    float sum = 0f;
                    for (int t = 0; t < visible; t++) {
                        sum += scores[t] * values[t * width + h * headDim + d];
                    }
                    out[o + d] = sum;
                }
            }
        }
    }
}
