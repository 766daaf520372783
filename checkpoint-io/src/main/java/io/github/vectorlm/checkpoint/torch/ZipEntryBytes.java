package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The bytes of one zip entry in the mapped file: a STORED entry is a slice of the mapping (its
 * data offset from the entry's local header); a DEFLATED entry is
 * inflated into memory the caller gives, its CRC-32 checked. Every offset and size is checked
 * against the file before use.
 */
final class ZipEntryBytes {
    /** DEFLATE cannot expand data more than about 1032 times; a larger claim is a lie. */
    private static final long MAX_DEFLATE_RATIO = 1032;
    private static final int CHUNK = 1 << 26;

    private final Path file;
    private final MemorySegment mapped;
    private final ZipDirectory.Entry entry;
    private final long dataOffset;
    private final long size;
    private final long compressedSize;

    /**
     * Checks the entry's method and ranges.
     *
     * @param tensor the tensor whose storage this is, for messages (null for records like data.pkl)
     */
    ZipEntryBytes(Path file, MemorySegment mapped, ZipDirectory.Entry entry, String tensor) throws CheckpointException {
        this.file = file;
        this.mapped = mapped;
        this.entry = entry;
        this.size = entry.size();
        this.compressedSize = entry.compressedSize();
        String name = entry.name();
        if (entry.encrypted()) {
            throw new UnsupportedCheckpointException(file, tensor, "zip entry '" + name + "' is encrypted");
        }
        if (!isStored() && !isDeflated()) {
            throw new UnsupportedCheckpointException(file, tensor, "zip entry '" + name + "' uses compression method "
                    + entry.method() + "; this reader maps STORED entries (0) and inflates DEFLATED ones (8)");
        }
        this.dataOffset = entry.dataOffset(file, mapped, tensor);
        if (isStored() && compressedSize != size) {
            throw new CorruptCheckpointException(file, tensor, "STORED zip entry '" + name + "' has size " + size
                    + " but compressed size " + compressedSize);
        }
        if (dataOffset > mapped.byteSize() || compressedSize > mapped.byteSize() - dataOffset) {
            throw new CorruptCheckpointException(file, tensor, "zip entry '" + name + "' says its " + compressedSize
                    + " bytes start at byte " + dataOffset + ", past the end of the " + mapped.byteSize() + "-byte file");
        }
        if (isDeflated() && size > compressedSize * MAX_DEFLATE_RATIO + 1024) {
            throw new CorruptCheckpointException(file, tensor, "zip entry '" + name + "' claims " + size
                    + " bytes inflated from " + compressedSize + ", beyond what DEFLATE can expand to");
        }
    }

    boolean isStored() {
        return entry.method() == ZipDirectory.STORED;
    }

    private boolean isDeflated() {
        return entry.method() == ZipDirectory.DEFLATED;
    }

    /** Uncompressed size. */
    long size() {
        return size;
    }

    String name() {
        return entry.name();
    }

    /** A STORED entry's bytes in place. */
    MemorySegment mappedSlice() {
        return mapped.asSlice(dataOffset, size);
    }

    /** The whole entry, mapped or inflated onto the heap: for small records (data.pkl, byteorder). */
    MemorySegment readSmall(long maxBytes) throws CheckpointException {
        if (size > maxBytes) {
            throw new UnsupportedCheckpointException(file, null, "zip entry '" + name() + "' holds " + size
                    + " bytes, more than the " + maxBytes + " this reader accepts for it");
        }
        if (isStored()) {
            return mappedSlice();
        }
        MemorySegment target = MemorySegment.ofArray(new byte[(int) size]);
        inflateInto(target, null);
        return target;
    }

    /**
     * Inflates the whole entry into {@code target} ({@link #size()} bytes) and checks its CRC-32.
     *
     * @param tensor the tensor whose storage this is, for messages
     */
    void inflateInto(MemorySegment target, String tensor) throws CheckpointException {
        Inflater inflater = new Inflater(true);
        CRC32 crc = new CRC32();
        try {
            long fed = 0;
            long written = 0;
            while (written < size) {
                if (inflater.needsInput()) {
                    if (fed == compressedSize) {
                        break;
                    }
                    long n = Math.min(CHUNK, compressedSize - fed);
                    inflater.setInput(mapped.asSlice(dataOffset + fed, n).asByteBuffer());
                    fed += n;
                }
                ByteBuffer out = target.asSlice(written, Math.min(CHUNK, size - written)).asByteBuffer();
                int n = inflater.inflate(out);
                if (n > 0) {
                    crc.update(target.asSlice(written, n).asByteBuffer());
                    written += n;
                } else if (inflater.finished() || inflater.needsDictionary() || !inflater.needsInput()) {
                    break; // the stream ended (or is unusable) before the directory's size
                }
            }
            if (written < size) {
                throw new CorruptCheckpointException(file, tensor, "zip entry '" + name() + "' inflates to " + written
                        + " bytes, but the zip directory says " + size);
            }
        } catch (DataFormatException e) {
            throw new CorruptCheckpointException(file, tensor, "zip entry '" + name() + "' holds invalid DEFLATE data: "
                    + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        if (crc.getValue() != entry.crc()) {
            throw new CorruptCheckpointException(file, tensor, String.format(
                    "zip entry '%s' inflates to bytes with CRC-32 %08x, but the zip directory says %08x",
                    name(), crc.getValue(), entry.crc()));
        }
    }
}
