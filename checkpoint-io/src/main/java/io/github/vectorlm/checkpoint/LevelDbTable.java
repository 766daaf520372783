package io.github.vectorlm.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.compressors.snappy.SnappyCompressorInputStream;

/**
 * Reads every key/value pair of a LevelDB-format table (an "SSTable"), the format of a TensorFlow
 * bundle's {@code .index} file. Layout, from the end of the file:
 *
 * <pre>
 * footer (48 bytes): metaindex handle, index handle (each varint64 offset + varint64 size),
 *                    zero padding to 40 bytes, magic 0xdb4775248b80fb57 (fixed64 LE)
 * block:             entries, restart offsets (fixed32 each), restart count (fixed32)
 * entry:             varint32 shared key bytes, varint32 unshared key bytes, varint32 value
 *                    length, the unshared key bytes, the value
 * block trailer:     compression type byte (0 none, 1 snappy), masked CRC-32C of the block
 *                    contents and the type byte (fixed32 LE)
 * </pre>
 *
 * The index block maps a separator key to each data block's handle. Every block's CRC is
 * checked; every length is checked against the file before anything is read or allocated.
 */
final class LevelDbTable {
    static final int FOOTER_BYTES = 48;
    static final int TRAILER_BYTES = 5;
    private static final ValueLayout.OfInt U32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Snappy's best case: a 3-byte copy element emits 64 bytes, so no block expands more than this. */
    private static final int SNAPPY_MAX_EXPANSION = 22;
    /**
     * Most bytes of keys and values decoded per byte of the file (plus {@link #DECODED_ALLOWANCE}):
     * keys share prefixes with the previous key, so a block of 3-byte entries that each repeat a
     * long key would otherwise decode to the square of its size. Real indexes decode to about
     * twice their size; snappy alone allows 22 times.
     */
    static final int MAX_DECODED_PER_FILE_BYTE = 64;
    /** Decoded bytes allowed on top of {@link #MAX_DECODED_PER_FILE_BYTE} times the file size. */
    static final long DECODED_ALLOWANCE = 1 << 20;

    /** One key/value pair, in table order. */
    record Entry(byte[] key, byte[] value) {
    }

    private record Handle(long offset, long size) {
    }

    private final Path file;
    private final MemorySegment bytes;
    private long decoded;

    private LevelDbTable(Path file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /**
     * All entries of the table in {@code bytes}, in key order.
     *
     * @param file named in error messages
     * @throws CorruptCheckpointException if the footer, a block, a CRC or the key order is wrong
     * @throws UnsupportedCheckpointException if a block uses a compression other than none or snappy
     */
    static List<Entry> readAll(Path file, MemorySegment bytes) throws CheckpointException {
        return new LevelDbTable(file, bytes).entries();
    }

    private List<Entry> entries() throws CheckpointException {
        long size = bytes.byteSize();
        if (size < FOOTER_BYTES) {
            throw corrupt("footer", size + " bytes is too short for a LevelDB table (the footer alone is "
                    + FOOTER_BYTES + " bytes); the file is truncated");
        }
        long magic = bytes.get(U64_LE, size - 8);
        if (magic != Checkpoints.LEVELDB_TABLE_MAGIC) {
            throw corrupt("footer", String.format("bad table magic 0x%016x (expected 0x%016x); the file is "
                    + "truncated or not a TensorFlow bundle index", magic, Checkpoints.LEVELDB_TABLE_MAGIC));
        }
        byte[] footer = bytes.asSlice(size - FOOTER_BYTES, FOOTER_BYTES - 8).toArray(ValueLayout.JAVA_BYTE);
        VarintCursor cursor = new VarintCursor(footer, "footer");
        Handle metaindex = new Handle(cursor.next(), cursor.next());
        Handle index = new Handle(cursor.next(), cursor.next());
        checkHandle(metaindex, "metaindex block");
        byte[] indexBlock = readBlock(index, "index block");
        List<Entry> handles = parseBlock(indexBlock, "index block");
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < handles.size(); i++) {
            String what = "data block " + i;
            VarintCursor h = new VarintCursor(handles.get(i).value(), "index entry " + i);
            Handle handle = new Handle(h.next(), h.next());
            for (Entry e : parseBlock(readBlock(handle, what), what)) {
                if (!entries.isEmpty() && Arrays.compareUnsigned(entries.getLast().key(), e.key()) >= 0) {
                    throw corrupt(what, "keys out of order ('" + printable(entries.getLast().key()) + "' then '"
                            + printable(e.key()) + "')");
                }
                entries.add(e);
            }
        }
        return entries;
    }

    private void checkHandle(Handle handle, String what) throws CorruptCheckpointException {
        long limit = bytes.byteSize() - FOOTER_BYTES;
        if (handle.offset() < 0 || handle.size() < 0 || handle.offset() > limit
                || handle.size() > limit - handle.offset() - TRAILER_BYTES) {
            throw corrupt(what, "block handle (offset " + handle.offset() + ", size " + handle.size()
                    + ") lies outside the " + limit + " bytes before the footer");
        }
    }

    /** The block's contents, CRC checked and decompressed. */
    private byte[] readBlock(Handle handle, String what) throws CheckpointException {
        checkHandle(handle, what);
        if (handle.size() > Integer.MAX_VALUE - 16) {
            throw new UnsupportedCheckpointException(file, what, "block of " + handle.size() + " bytes is too large");
        }
        long trailer = handle.offset() + handle.size();
        int stored = bytes.get(U32_LE, trailer + 1);
        int actual = Crc32c.of(bytes, handle.offset(), handle.size() + 1);
        if (Crc32c.unmask(stored) != actual) {
            throw corrupt(what, String.format("block CRC32C mismatch at offset %d (%d bytes): stored 0x%08x, "
                    + "computed 0x%08x; the index is corrupt", handle.offset(), handle.size(),
                    Crc32c.unmask(stored), actual));
        }
        byte[] contents = bytes.asSlice(handle.offset(), handle.size()).toArray(ValueLayout.JAVA_BYTE);
        int type = bytes.get(ValueLayout.JAVA_BYTE, trailer) & 0xff;
        return switch (type) {
            case 0 -> contents;
            case 1 -> unsnappy(contents, what);
            default -> throw new UnsupportedCheckpointException(file, what, "block compression type " + type
                    + " (only 0 = none and 1 = snappy are LevelDB table compressions TensorFlow writes)");
        };
    }

    private byte[] unsnappy(byte[] compressed, String what) throws CheckpointException {
        long claimed = new VarintCursor(compressed, what + " snappy length").next();
        if (claimed > (long) compressed.length * SNAPPY_MAX_EXPANSION + 64 || claimed > Integer.MAX_VALUE - 16) {
            throw corrupt(what, "snappy block of " + compressed.length + " bytes claims " + claimed
                    + " uncompressed bytes, more than snappy can expand to");
        }
        try (InputStream in = new SnappyCompressorInputStream(new ByteArrayInputStream(compressed))) {
            byte[] out = in.readNBytes((int) claimed);
            if (out.length != claimed || in.read() != -1) {
                throw corrupt(what, "snappy block does not decompress to the " + claimed + " bytes it claims");
            }
            return out;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointException ce) {
                throw ce;
            }
            throw new CorruptCheckpointException(file, what, "snappy block does not decompress: " + e.getMessage(), e);
        }
    }

    private List<Entry> parseBlock(byte[] block, String what) throws CorruptCheckpointException {
        if (block.length < 4) {
            throw corrupt(what, "block of " + block.length + " bytes has no restart count");
        }
        long restarts = readU32(block, block.length - 4);
        if (restarts < 1 || (restarts + 1) * 4 > block.length) {
            throw corrupt(what, "restart count " + restarts + " does not fit a block of " + block.length + " bytes");
        }
        int entriesEnd = (int) (block.length - (restarts + 1) * 4);
        List<Entry> entries = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<Boolean> unshared = new ArrayList<>();
        byte[] previous = new byte[0];
        VarintCursor cursor = new VarintCursor(block, 0, entriesEnd, what);
        while (cursor.position() < entriesEnd) {
            starts.add(cursor.position());
            long shared = cursor.next();
            long nonShared = cursor.next();
            long valueLength = cursor.next();
            int at = cursor.position();
            if (shared > previous.length || nonShared > entriesEnd - at || valueLength > entriesEnd - at - nonShared) {
                throw corrupt(what, "entry at byte " + starts.getLast() + " (shared " + shared + ", unshared "
                        + nonShared + ", value " + valueLength + ") runs past the entries' " + entriesEnd + " bytes");
            }
            unshared.add(shared == 0);
            decoded += shared + nonShared + valueLength + 32;
            if (decoded > DECODED_ALLOWANCE + MAX_DECODED_PER_FILE_BYTE * bytes.byteSize()) {
                throw corrupt(what, "entries decode to more than " + MAX_DECODED_PER_FILE_BYTE + " bytes per byte of the "
                        + bytes.byteSize() + "-byte index (keys repeat a long prefix over and over)");
            }
            byte[] key = Arrays.copyOf(previous, (int) (shared + nonShared));
            System.arraycopy(block, at, key, (int) shared, (int) nonShared);
            byte[] value = Arrays.copyOfRange(block, at + (int) nonShared, at + (int) (nonShared + valueLength));
            entries.add(new Entry(key, value));
            previous = key;
            cursor.seek(at + (int) (nonShared + valueLength));
        }
        for (int r = 0; r < restarts; r++) {
            long restart = readU32(block, entriesEnd + 4 * r);
            int i = java.util.Collections.binarySearch(starts, (int) Math.min(restart, Integer.MAX_VALUE));
            boolean emptyBlock = starts.isEmpty() && restart == 0;
            if (!emptyBlock && (i < 0 || !unshared.get(i))) {
                throw corrupt(what, "restart point " + r + " (byte " + restart + ") is not the start of an entry with a full key");
            }
        }
        return entries;
    }

    private static long readU32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    private CorruptCheckpointException corrupt(String what, String problem) {
        return new CorruptCheckpointException(file, what, problem);
    }

    static String printable(byte[] key) {
        StringBuilder sb = new StringBuilder();
        for (byte b : key) {
            int c = b & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.toString();
    }

    /** Reads unsigned LEB128 varints (at most 64 bits) from a byte range. */
    private final class VarintCursor {
        private final byte[] b;
        private int position;
        private final int end;
        private final String what;

        VarintCursor(byte[] b, String what) {
            this(b, 0, b.length, what);
        }

        VarintCursor(byte[] b, int start, int end, String what) {
            this.b = b;
            this.position = start;
            this.end = end;
            this.what = what;
        }

        int position() {
            return position;
        }

        void seek(int to) {
            position = to;
        }

        long next() throws CorruptCheckpointException {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= end) {
                    throw corrupt(what, "varint runs past the end at byte " + position);
                }
                byte x = b[position++];
                result |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    if (result < 0) {
                        throw corrupt(what, "varint " + Long.toUnsignedString(result) + " is out of range");
                    }
                    return result;
                }
            }
            throw corrupt(what, "varint longer than 10 bytes");
        }
    }
}
