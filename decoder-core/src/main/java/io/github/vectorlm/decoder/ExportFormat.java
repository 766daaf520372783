package io.github.vectorlm.decoder;

/** What {@link ModelExport} writes. */
public enum ExportFormat {
    /**
     * A Hugging Face folder: {@code config.json}, {@code model.safetensors} (or shards with
     * {@code model.safetensors.index.json}), {@code tokenizer.json}, {@code generation_config.json}.
     */
    HF,
    /** One GGUF v3 file laid out as llama.cpp's {@code convert_hf_to_gguf.py} writes the architecture. */
    GGUF
}
