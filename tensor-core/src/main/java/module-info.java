/**
 * Tensors over memory segments and the Vector API kernels GPT-2 and GPT-NeoX are made of.
 */
module io.github.vectorlm.tensor {
    requires jdk.incubator.vector;

    exports io.github.vectorlm.tensor;
    exports io.github.vectorlm.tensor.ops;
}
