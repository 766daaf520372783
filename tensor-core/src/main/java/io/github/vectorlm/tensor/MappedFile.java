package io.github.vectorlm.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A whole file mapped read-only into memory. Tensors made over {@link #segment()} view the file
 * in place; they stay valid until this object is closed, after which any access to them throws
 * {@link IllegalStateException} instead of touching unmapped memory.
 *
 * <p>The mapping is shared: tensors over it may be read from any thread.
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;

    private MappedFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * Maps {@code path} read-only.
     *
     * @throws IOException if the file cannot be opened or mapped
     */
    public static MappedFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment segment = size == 0
                    ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new MappedFile(path, arena, segment);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The file this maps. */
    public Path path() {
        return path;
    }

    /** The file's bytes, read-only. */
    public MemorySegment segment() {
        return segment;
    }

    /** The file's size in bytes. */
    public long size() {
        return segment.byteSize();
    }

    /** Unmaps the file; tensors over it become unusable. */
    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "MappedFile[" + path + ", " + size() + " bytes]";
    }
}
