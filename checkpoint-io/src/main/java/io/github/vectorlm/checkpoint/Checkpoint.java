package io.github.vectorlm.checkpoint;

import io.github.vectorlm.tensor.QuantizedTensor;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An open checkpoint: named tensors, and whatever else the file holds. Tensors are views of the
 * memory-mapped file wherever its bytes lie as the tensor needs them (no copy); they stay valid
 * until {@link #close()}.
 *
 * <p>Opening reads and validates metadata only; {@link #tensor(String)} does any per-tensor work
 * (a checksum, or reading a compressed entry). Implementations are safe for concurrent reads.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = Checkpoints.open(Path.of("model.safetensors"))) {
 *     for (String name : ckpt.tensorNames()) {
 *         System.out.println(ckpt.info(name));
 *     }
 *     Tensor wte = ckpt.tensor("transformer.wte.weight");
 * }
 * }</pre>
 */
public interface Checkpoint extends AutoCloseable {
    /** The file (or, for a sharded or multi-file checkpoint, the index file or folder) this was opened from. */
    Path path();

    /** The format detected. */
    CheckpointFormat format();

    /** Every tensor's name, in the order the file lists them. */
    List<String> tensorNames();

    /** Whether a tensor of that name exists. */
    default boolean contains(String name) {
        return tensorNames().contains(name);
    }

    /**
     * Metadata of the named tensor.
     *
     * @throws IllegalArgumentException if there is no such tensor
     */
    TensorInfo info(String name);

    /**
     * The named tensor, viewing the mapped file where possible. A block-quantized tensor
     * ({@link TensorInfo#isBlockQuantized()}) comes dequantized to F32, a copy made on each call;
     * {@link #quantized(String)} gives its blocks in place.
     *
     * @throws IllegalArgumentException if there is no such tensor
     * @throws CheckpointException if its bytes are missing or corrupt, or it is of a block type
     *     this library does not dequantize
     */
    Tensor tensor(String name) throws IOException;

    /**
     * The named block-quantized tensor, viewing its blocks where they lie in the mapped file.
     *
     * @throws IllegalArgumentException if there is no such tensor or it is not block-quantized
     */
    default QuantizedTensor quantized(String name) {
        TensorInfo info = info(name);
        throw new IllegalArgumentException(path() + ": tensor '" + name + "' is " + info.dtype()
                + ", not block-quantized; read it with tensor(name)");
    }

    /**
     * The checkpoint's non-tensor content as plain Java objects: {@code Map} (insertion-ordered),
     * {@code List}, {@code String}, {@code byte[]}, {@code Long} or {@code BigInteger},
     * {@code Double}, {@code Boolean}, null, and {@link TensorRef} where a tensor stood. For a
     * pickle this is the whole unpickled object; for safetensors a map with the
     * {@code __metadata__} strings; for a TensorFlow bundle the header and string tensors.
     */
    Object content();

    /** Free-form string metadata ({@code __metadata__} of safetensors; empty where the format has none). */
    default Map<String, String> stringMetadata() {
        return Map.of();
    }

    /** Releases the mapping; tensors obtained from this checkpoint become unusable. */
    @Override
    void close();
}
