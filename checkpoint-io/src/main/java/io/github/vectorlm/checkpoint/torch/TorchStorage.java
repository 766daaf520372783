package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * One storage a pickle's persistent ids name: its key, element type and claimed element count.
 * A root storage's bytes are found by the zip or legacy reader ({@link #resolve}); a view (old
 * legacy files only) is a range of elements of its root.
 */
final class TorchStorage {
    private final String key;
    private final DType dtype;
    private final long numel;
    private final String location;
    private final TorchStorage root;
    private final long rootOffset;
    private StorageBytes bytes;

    private TorchStorage(String key, DType dtype, long numel, String location, TorchStorage root, long rootOffset) {
        this.key = key;
        this.dtype = dtype;
        this.numel = numel;
        this.location = location;
        this.root = root == null ? this : root;
        this.rootOffset = rootOffset;
    }

    /** A storage whose bytes lie in the file under {@code key}. */
    static TorchStorage root(String key, DType dtype, long numel, String location) {
        return new TorchStorage(key, dtype, numel, location, null, 0);
    }

    /** Elements {@code [offset, offset + numel)} of {@code root}, known by another key. */
    static TorchStorage view(TorchStorage root, String key, long offset, long numel) {
        return new TorchStorage(key, root.dtype, numel, root.location, root, offset);
    }

    String key() {
        return key;
    }

    DType dtype() {
        return dtype;
    }

    /** Element count the pickle claims. */
    long numel() {
        return numel;
    }

    String location() {
        return location;
    }

    TorchStorage root() {
        return root;
    }

    boolean isView() {
        return root != this;
    }

    /** First element of a view within its root. */
    long rootOffset() {
        return rootOffset;
    }

    /**
     * Bytes the claimed elements take.
     *
     * @throws ArithmeticException if that is more than a long holds
     */
    long byteSize() {
        return Math.multiplyExact(numel, (long) dtype.byteSize());
    }

    /** Whether the root's bytes have been found. */
    boolean isResolved() {
        return root.bytes != null;
    }

    /** Sets where a root's bytes are (they were checked to be {@link #byteSize()} long). */
    void resolve(StorageBytes found) {
        if (isView()) {
            throw new IllegalStateException("a view's bytes are its root's");
        }
        this.bytes = found;
    }

    /** The storage's bytes; a view's are a slice of its root's. */
    MemorySegment segment() throws CheckpointException {
        MemorySegment rootBytes = root.bytes.segment();
        return isView() ? rootBytes.asSlice(rootOffset * dtype.byteSize(), byteSize()) : rootBytes;
    }

    @Override
    public String toString() {
        return "storage '" + key + "' (" + numel + " " + dtype + " elements)";
    }
}
