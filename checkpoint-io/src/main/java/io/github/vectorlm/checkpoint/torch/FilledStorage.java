package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.CheckpointException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Storage bytes made on first use in memory the checkpoint owns: an inflated zip entry, or a
 * big-endian storage swapped into little-endian order. Made once, under a lock; the arena is the
 * checkpoint's and closes with it.
 */
final class FilledStorage implements StorageBytes {
    /** Writes a storage's bytes into {@code target}, which is exactly the storage's size. */
    interface Filler {
        void fill(MemorySegment target) throws CheckpointException;
    }

    private final Arena arena;
    private final long byteSize;
    private final Filler filler;
    private MemorySegment filled;

    FilledStorage(Arena arena, long byteSize, Filler filler) {
        this.arena = arena;
        this.byteSize = byteSize;
        this.filler = filler;
    }

    @Override
    public synchronized MemorySegment segment() throws CheckpointException {
        if (filled == null) {
            MemorySegment target = arena.allocate(Math.max(byteSize, 1), 64).asSlice(0, byteSize);
            filler.fill(target);
            filled = target;
        }
        return filled;
    }

    /** {@code source}'s elements of {@code elementSize} bytes, byte-swapped from big- to little-endian. */
    static StorageBytes byteSwapped(Arena arena, StorageBytes source, long byteSize, int elementSize) {
        return new FilledStorage(arena, byteSize, target -> {
            MemorySegment big = source.segment();
            long count = byteSize / elementSize;
            switch (elementSize) {
                case 2 -> MemorySegment.copy(big, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0,
                        target, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, count);
                case 4 -> MemorySegment.copy(big, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0,
                        target, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, count);
                case 8 -> MemorySegment.copy(big, ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0,
                        target, ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, count);
                default -> MemorySegment.copy(big, 0, target, 0, byteSize);
            }
        });
    }
}
