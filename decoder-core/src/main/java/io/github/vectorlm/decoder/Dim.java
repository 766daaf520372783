package io.github.vectorlm.decoder;

/** A symbolic dimension of a stored tensor, resolved against a {@link DecoderShape}. */
public enum Dim {
    /** 1: OpenAI's TensorFlow GPT-2 stores its matrices as [1, in, out] convolution kernels. */
    ONE,
    /** The vocabulary size. */
    VOCAB,
    /** The context length (rows of a learned position embedding). */
    CONTEXT,
    /** The residual stream's width. */
    WIDTH,
    /** Three widths: fused query, key and value. */
    QKV,
    /** The MLP's hidden width. */
    INNER;

    /**
     * This dimension's size for a model.
     *
     * @param shape the model's sizes
     * @return the size
     */
    public long size(DecoderShape shape) {
        return switch (this) {
            case ONE -> 1;
            case VOCAB -> shape.vocabSize();
            case CONTEXT -> shape.contextLength();
            case WIDTH -> shape.width();
            case QKV -> 3L * shape.width();
            case INNER -> shape.innerSize();
        };
    }
}
