package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.CheckpointException;
import java.lang.foreign.MemorySegment;

/**
 * Where a storage's little-endian bytes come from: a slice of the mapped file, or memory filled
 * on first use (an inflated zip entry, a byte-swapped big-endian storage). Safe for concurrent use.
 */
interface StorageBytes {
    /** The storage's bytes, exactly its size. */
    MemorySegment segment() throws CheckpointException;

    /** Bytes that lie in the file as they are: mapped, no copy. */
    static StorageBytes mapped(MemorySegment slice) {
        return () -> slice;
    }
}
