package io.github.vectorlm.decoder;

/**
 * The sizes every decoder-only transformer has, whatever its config calls them: what the weight
 * tables resolve their {@link Dim}s against and what a {@link DecoderSession} sizes its buffers by.
 *
 * @param vocabSize rows of the token embedding; logits per position
 * @param contextLength the most positions a sequence can hold
 * @param width the residual stream's width (GPT-2's {@code n_embd}, NeoX's {@code hidden_size})
 * @param layers transformer layers in the model
 * @param heads attention heads; they divide {@code width}
 * @param innerSize the MLP's hidden width
 */
public record DecoderShape(int vocabSize, int contextLength, int width, int layers, int heads, int innerSize) {
    /**
     * Checks that every size is positive, the heads divide the width and one chunk's buffers can
     * be indexed by {@code int}.
     *
     * @throws IllegalArgumentException naming the offending values
     */
    public DecoderShape {
        if (vocabSize < 1 || contextLength < 1 || width < 1 || layers < 1 || heads < 1 || innerSize < 1) {
            throw new IllegalArgumentException("decoder sizes must be positive: vocab " + vocabSize + ", context "
                    + contextLength + ", width " + width + ", layers " + layers + ", heads " + heads + ", inner "
                    + innerSize);
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " is not a multiple of " + heads + " heads");
        }
    }

    /**
     * Floats per attention head.
     *
     * @return {@code width / heads}
     */
    public int headDim() {
        return width / heads;
    }
}
