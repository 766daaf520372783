package io.github.vectorlm.checkpoint.torch;

import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The central directory of a zip file mapped in memory (PKWARE's APPNOTE, sections 4.3.6 to
 * 4.3.16): the end-of-central-directory record, its Zip64 counterpart where present, and one
 * {@link Entry} per file, with the Zip64 extra field's sizes and offsets. A local header is read
 * only when an entry's data is asked for ({@link Entry#dataOffset}).
 *
 * <p>Hand-written rather than read with commons-compress, which the project uses for other
 * archives: on a cold start its {@code ZipFile} cost 90 to 125 ms of the demo model's first token
 * (170 to 180 ms in a bare JVM: its classes, the lambdas of its extra-field registry, the time
 * zone rules for entry dates), where this reader needs a few milliseconds; a torch file needs only names, sizes,
 * methods, CRCs and offsets (docs/performance-decisions.md).
 *
 * <p>Untrusted input: every count, size and offset is checked against the file before use;
 * anything inconsistent is a {@link CorruptCheckpointException} naming the file, and a split
 * (multi-disk) or encrypted archive an {@link UnsupportedCheckpointException}. Names are read as
 * UTF-8 (what torch writes, and commons-compress's default).
 */
final class ZipDirectory {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int END_SIGNATURE = 0x06054b50;
    private static final int END_BYTES = 22;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_LOCATOR_BYTES = 20;
    private static final int ZIP64_END_SIGNATURE = 0x06064b50;
    private static final int ZIP64_END_BYTES = 56;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int CENTRAL_BYTES = 46;
    private static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int LOCAL_BYTES = 30;
    private static final int ZIP64_EXTRA_ID = 0x0001;
    private static final int MAX_COMMENT = 0xffff;

    private ZipDirectory() {
    }

    /**
     * One file of the archive, as its central directory entry describes it.
     *
     * @param name the entry's name
     * @param flags the general purpose bit flags
     * @param method the compression method ({@link #STORED}, {@link #DEFLATED}, ...)
     * @param crc the CRC-32 of the uncompressed data
     * @param compressedSize bytes of data in the file
     * @param size bytes once uncompressed
     * @param localHeaderOffset where the entry's local header starts
     */
    record Entry(String name, int flags, int method, long crc, long compressedSize, long size, long localHeaderOffset) {
        /** Whether the entry is encrypted (general purpose bit 0). */
        boolean encrypted() {
            return (flags & 1) != 0;
        }

        /**
         * Where the entry's data starts: after its local header, whose name and extra field lengths
         * may differ from the central directory's.
         *
         * @throws CorruptCheckpointException if the local header is missing or runs past the file
         */
        long dataOffset(Path file, MemorySegment zip, String tensor) throws CheckpointException {
            long at = localHeaderOffset;
            if (at > zip.byteSize() - LOCAL_BYTES || zip.get(U32, at) != LOCAL_SIGNATURE) {
                throw new CorruptCheckpointException(file, tensor, "zip entry '" + name
                        + "': no local header at byte " + at + " of the " + zip.byteSize() + "-byte file");
            }
            long data = at + LOCAL_BYTES + u16(zip, at + 26) + u16(zip, at + 28);
            if (data > zip.byteSize()) {
                throw new CorruptCheckpointException(file, tensor, "zip entry '" + name + "': its local header at byte "
                        + at + " runs past the end of the " + zip.byteSize() + "-byte file");
            }
            return data;
        }
    }

    /**
     * Reads the directory of the zip file {@code zip} (the whole file, mapped).
     *
     * @return the entries in directory order
     * @throws CheckpointException if the file is not a readable zip archive
     */
    static List<Entry> read(Path file, MemorySegment zip) throws CheckpointException {
        long end = findEnd(file, zip);
        long count = u16(zip, end + 10);
        long size = u32(zip, end + 12);
        long offset = u32(zip, end + 16);
        if (u16(zip, end + 4) != 0 || u16(zip, end + 6) != 0) {
            checkNotSplit(file, u16(zip, end + 4), u16(zip, end + 6));
        }
        long locator = end - ZIP64_LOCATOR_BYTES;
        if (locator >= 0 && zip.get(U32, locator) == ZIP64_LOCATOR_SIGNATURE) {
            long zip64End = zip.get(U64, locator + 8);
            if (zip64End < 0 || zip64End > locator - ZIP64_END_BYTES || zip.get(U32, zip64End) != ZIP64_END_SIGNATURE) {
                throw corrupt(file, "the Zip64 end-of-directory locator points at byte " + zip64End
                        + ", where there is no Zip64 end-of-directory record");
            }
            checkNotSplit(file, u32(zip, zip64End + 16), u32(zip, zip64End + 20));
            count = zip.get(U64, zip64End + 32);
            size = zip.get(U64, zip64End + 40);
            offset = zip.get(U64, zip64End + 48);
        }
        if (size < 0 || offset < 0 || offset > end || size > end - offset) {
            throw corrupt(file, "the central directory (" + size + " bytes at byte " + offset
                    + ") does not fit before its end record at byte " + end);
        }
        if (count < 0 || count > size / CENTRAL_BYTES) {
            throw corrupt(file, "the directory claims " + count + " entries in " + size + " bytes");
        }
        List<Entry> entries = new ArrayList<>((int) count);
        long at = offset;
        for (long i = 0; i < count; i++) {
            if (at > offset + size - CENTRAL_BYTES || zip.get(U32, at) != CENTRAL_SIGNATURE) {
                throw corrupt(file, "central directory entry " + i + " of " + count + " is missing at byte " + at);
            }
            int nameLength = u16(zip, at + 28);
            int extraLength = u16(zip, at + 30);
            int commentLength = u16(zip, at + 32);
            long next = at + CENTRAL_BYTES + nameLength + extraLength + commentLength;
            if (next > offset + size) {
                throw corrupt(file, "central directory entry " + i + " at byte " + at + " runs past the directory's end");
            }
            String name = new String(zip.asSlice(at + CENTRAL_BYTES, nameLength).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_8);
            long[] wide = {u32(zip, at + 24), u32(zip, at + 20), u32(zip, at + 42)}; // size, compressed, offset
            readZip64Extra(file, zip, at + CENTRAL_BYTES + nameLength, extraLength, wide, name);
            if (u16(zip, at + 34) != 0) {
                throw new UnsupportedCheckpointException(file, null, "zip entry '" + name
                        + "' starts on disk " + u16(zip, at + 34) + " of a split archive");
            }
            if (wide[0] < 0 || wide[1] < 0 || wide[2] < 0) {
                throw corrupt(file, "zip entry '" + name + "' has a size or offset beyond 2^63");
            }
            entries.add(new Entry(name, u16(zip, at + 8), u16(zip, at + 10), u32(zip, at + 16), wide[1], wide[0], wide[2]));
            at = next;
        }
        return entries;
    }

    /** The end-of-central-directory record: the last signature whose comment ends within the file. */
    private static long findEnd(Path file, MemorySegment zip) throws CheckpointException {
        long last = zip.byteSize() - END_BYTES;
        for (long at = last; at >= 0 && at >= last - MAX_COMMENT; at--) {
            if (zip.get(U32, at) == END_SIGNATURE && at + END_BYTES + u16(zip, at + 20) <= zip.byteSize()) {
                return at;
            }
        }
        throw corrupt(file, "no end-of-central-directory record (truncated, or not a zip file)");
    }

    /**
     * Replaces the 32-bit fields that say "see the Zip64 extra field" (all ones) with that field's
     * 64-bit values, in APPNOTE's order: size, compressed size, local header offset.
     */
    private static void readZip64Extra(Path file, MemorySegment zip, long at, int length, long[] wide, String name)
            throws CheckpointException {
        long end = at + length;
        while (at + 4 <= end) {
            int id = u16(zip, at);
            int dataLength = u16(zip, at + 2);
            long data = at + 4;
            if (data + dataLength > end) {
                throw corrupt(file, "zip entry '" + name + "' has an extra field running past its end");
            }
            if (id == ZIP64_EXTRA_ID) {
                long field = data;
                for (int k = 0; k < wide.length; k++) {
                    if (wide[k] == 0xffffffffL) {
                        if (field + 8 > data + dataLength) {
                            throw corrupt(file, "zip entry '" + name + "' has a Zip64 extra field too short for its sizes");
                        }
                        wide[k] = zip.get(U64, field);
                        field += 8;
                    }
                }
                return;
            }
            at = data + dataLength;
        }
    }

    private static void checkNotSplit(Path file, long disk, long directoryDisk) throws CheckpointException {
        if (disk != 0 || directoryDisk != 0) {
            throw new UnsupportedCheckpointException(file, null, "a split (multi-disk) zip archive (this is disk "
                    + disk + ", its directory on disk " + directoryDisk + ")");
        }
    }

    private static CorruptCheckpointException corrupt(Path file, String what) {
        return new CorruptCheckpointException(file, null, "not a readable zip archive: " + what);
    }

    private static int u16(MemorySegment zip, long at) {
        return Short.toUnsignedInt(zip.get(U16, at));
    }

    private static long u32(MemorySegment zip, long at) {
        return Integer.toUnsignedLong(zip.get(U32, at));
    }
}
