package io.github.vectorlm.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads Hugging Face safetensors files: an 8-byte little-endian header length, a JSON header
 * ({@code name → {dtype, shape, data_offsets}} and an optional {@code __metadata__} object of
 * strings), then the tensors' bytes.
 *
 * <p>The whole header is validated before any tensor is made, as the reference implementation
 * does: header length at most 100 MB and inside the file, every dtype known (BOOL, U8, I8,
 * F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64; anything else is an
 * {@link UnsupportedCheckpointException} naming it), every shape's byte size equal to its
 * {@code data_offsets} range, and the ranges, sorted, tiling the data area exactly: no overlap,
 * no hole, nothing after the last tensor.
 *
 * <p>Tensors are views of the memory-mapped file. {@link Checkpoint#tensorNames()} lists them in
 * the order the header lists them. {@link Checkpoint#stringMetadata()} is {@code __metadata__};
 * {@link Checkpoint#content()} mirrors the header: {@code "__metadata__"} (when present) then each
 * tensor name mapped to a {@link TensorRef}.
 */
public final class SafetensorsReader {
    private SafetensorsReader() {
    }

    /**
     * Opens a safetensors file, reading and validating its header only.
     *
     * @throws CorruptCheckpointException if the header or an entry is inconsistent with the file
     * @throws UnsupportedCheckpointException if an entry has a dtype this library does not know
     */
    public static Checkpoint open(Path file) throws IOException {
        return SafetensorsCheckpoint.open(file);
    }
}
