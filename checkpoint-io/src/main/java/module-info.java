/**
 * Readers for PyTorch, safetensors, TensorFlow and GGUF checkpoints, mapped in place and treated as
 * untrusted input; a safetensors writer.
 */
module io.github.vectorlm.checkpoint {
    requires transitive io.github.vectorlm.tensor;
    requires com.fasterxml.jackson.databind;
    requires org.apache.commons.compress;

    exports io.github.vectorlm.checkpoint;
}
