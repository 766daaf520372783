package io.github.vectorlm.checkpoint;

/** The file formats {@link Checkpoints#open} recognises, from the bytes. */
public enum CheckpointFormat {
    /** {@code torch.save} zip archive (PyTorch ≥ 1.6): {@code data.pkl} plus one entry per storage. */
    TORCH_ZIP,
    /** legacy {@code torch.save} stream (PyTorch &lt; 1.6 or {@code _use_new_zipfile_serialization=False}). */
    TORCH_LEGACY,
    /** Hugging Face safetensors. */
    SAFETENSORS,
    /** TensorFlow tensor bundle: {@code <prefix>.index} plus {@code <prefix>.data-*} shards. */
    TENSORFLOW_BUNDLE,
    /** Several files joined by a Hugging Face {@code *.index.json} weight map. */
    SHARDED,
    /** GGUF, llama.cpp's format (versions 2 and 3, little-endian): metadata, tensor infos, aligned data. */
    GGUF
}
