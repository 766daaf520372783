package io.github.vectorlm.decoder;

/** How a checkpoint stores one tensor, and so how the model reads it. */
public enum Storage {
    /** A 1-D vector (a norm's weight, a bias). */
    VECTOR,
    /** A table read by rows (an embedding). */
    ROWS,
    /** A matrix stored [in, out] once leading 1s are dropped: {@code Linear.inOut}. */
    IN_OUT,
    /** A matrix stored [out, in], as {@code nn.Linear} keeps it: {@code Linear.outIn}. */
    OUT_IN
}
