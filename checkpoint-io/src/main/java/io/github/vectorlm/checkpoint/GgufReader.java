package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads GGUF files, llama.cpp's format, versions 2 and 3, little-endian: the magic
 * {@code "GGUF"}, a u32 version, u64 tensor and metadata counts, the metadata key/value pairs,
 * one info per tensor (name, dimensions, ggml type, data offset), padding to the alignment, then
 * the tensors' data.
 *
 * <p><b>Shapes.</b> GGUF lists a tensor's dimensions innermost first ({@code ne[0]} is the
 * fastest-varying, the length of a row). {@link TensorInfo#shape()} gives them in the row-major
 * order the rest of this library uses, reversed: a GGUF tensor of {@code ne = [768, 50257]} has
 * shape {@code [50257, 768]}, the shape gguf-py's writer and PyTorch give the same array.
 *
 * <p><b>Tensors.</b> F32, F16, BF16, F64 and I8–I64 tensors are {@link io.github.vectorlm.tensor.Tensor}
 * views of the mapped file. Block-quantized tensors ({@link GgmlType#blockType()}: Q8_0, Q4_0,
 * the K-quants, …) are listed with {@link TensorInfo#blockType()} set and {@code dtype} F32:
 * {@link Checkpoint#quantized(String)} views their blocks in place, {@link Checkpoint#tensor(String)}
 * gives them dequantized to F32 (ggml's dequantization, bit for bit; a copy), or refuses with an
 * {@link UnsupportedCheckpointException} the types this library does not dequantize (the i-quants,
 * TQ*, MXFP4, NVFP4, Q1_0, Q8_K).
 *
 * <p><b>Metadata.</b> {@link Checkpoint#content()} maps each key, in file order, to its value:
 * every integer type as {@code Long} (a UINT64 above {@code Long.MAX_VALUE} as {@code BigInteger}),
 * FLOAT32 and FLOAT64 as {@code Double} (exactly), BOOL as {@code Boolean}, STRING as
 * {@code String}, ARRAY as an unmodifiable {@code List} of such values (nested arrays as lists of
 * lists). Arrays of numbers are kept as the file's bytes and boxed when read, so a large
 * {@code tokenizer.ggml.token_type} costs what it costs on disk. {@link GgufCheckpoint#metadataType}
 * gives each key's GGUF type. {@code general.alignment} (a UINT32 power of two; 32 when absent)
 * sets the alignment.
 *
 * <p><b>Validation.</b> The file is untrusted, and the whole header is checked before any tensor is
 * made, by the rules of ggml's own reader ({@code gguf.cpp}): every count, length and array size
 * fits the bytes left in the file before anything is allocated; strings are valid UTF-8; keys and
 * tensor names are unique; a
 * tensor has at most 4 dimensions, none negative, an element count that fits a long, a known ggml
 * type and rows of whole blocks; and the tensors' data lie in file order, each at the previous
 * one's end rounded up to the alignment (the only layout ggml accepts), inside the file. A
 * violation is a {@link CorruptCheckpointException}; version 1, big-endian files, more than 4
 * dimensions and unknown ggml types are {@link UnsupportedCheckpointException}s; every message
 * names the file, and the key or tensor.
 *
 * <p><b>Limits.</b> Beyond those rules the header is held to {@link ReaderLimits}: at most
 * {@link ReaderLimits#MAX_TENSORS} tensors; keys and tensor names of at most
 * {@link ReaderLimits#MAX_NAME_CHARS} characters; at most {@link ReaderLimits#MAX_CONTENT_VALUES}
 * metadata values, counting each key and every array element (nested ones included); arrays
 * nested at most {@link ReaderLimits#MAX_GGUF_ARRAY_NESTING} deep. Each is checked before what it
 * bounds is allocated, and a file beyond one is an {@link UnsupportedCheckpointException} naming
 * the file, the key or tensor, the byte offset, and the limit's value and name.
 *
 * <pre>{@code
 * try (GgufCheckpoint gguf = GgufReader.open(Path.of("gpt2.Q8_0.gguf"))) {
 *     long context = (Long) gguf.metadata().get("gpt2.context_length");
 *     QuantizedTensor qkv = gguf.quantized("blk.0.attn_qkv.weight");   // Q8_0 [2304, 768], in place
 * }
 * }</pre>
 */
public final class GgufReader {
    private GgufReader() {
    }

    /**
     * Opens a GGUF file, reading and validating its header only.
     *
     * @throws CorruptCheckpointException if the header is inconsistent with itself or the file
     * @throws UnsupportedCheckpointException for GGUF v1, big-endian files, unknown ggml types
     */
    public static GgufCheckpoint open(Path file) throws IOException {
        return GgufCheckpoint.open(file);
    }
}
