package io.github.vectorlm.checkpoint;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * CRC-32C (Castagnoli) over memory segments, with the LevelDB / TensorFlow mask.
 *
 * <p>{@link CRC32C} is a JDK intrinsic (SSE4.2 / ARMv8 CRC instructions); feeding it the mapped
 * file as direct {@link java.nio.ByteBuffer}s keeps it at memory speed with no copy.
 */
final class Crc32c {
    /** Constant LevelDB adds after rotating, so that a CRC stored inside checksummed data does not checksum to itself. */
    private static final int MASK_DELTA = 0xa282ead8;
    /** Largest piece handed to {@link CRC32C#update(java.nio.ByteBuffer)} at once (ByteBuffers are int-indexed). */
    private static final long CHUNK = 1L << 30;

    private Crc32c() {
    }

    /** The CRC-32C of {@code length} bytes of {@code segment} from {@code offset}. */
    static int of(MemorySegment segment, long offset, long length) {
        CRC32C crc = new CRC32C();
        update(crc, segment, offset, length);
        return (int) crc.getValue();
    }

    /** Feeds {@code length} bytes of {@code segment} from {@code offset} to {@code crc}. */
    static void update(CRC32C crc, MemorySegment segment, long offset, long length) {
        for (long done = 0; done < length; ) {
            long piece = Math.min(CHUNK, length - done);
            crc.update(segment.asSlice(offset + done, piece).asByteBuffer());
            done += piece;
        }
    }

    /** LevelDB's mask: rotate right by 15 bits and add a constant. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    /** Inverse of {@link #mask(int)}. */
    static int unmask(int masked) {
        int rotated = masked - MASK_DELTA;
        return (rotated >>> 17) | (rotated << 15);
    }
}
