package io.github.vectorlm.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.commons.compress.compressors.snappy.SnappyCompressorOutputStream;

/**
 * Builds LevelDB tables and protobuf bytes for bad-input tests only: to damage a real TensorFlow
 * index in ways a flipped byte cannot (an entry pointing past its shard, an unknown dtype), the
 * real entries are re-emitted with one change. Never an oracle for the reader: the good-path
 * tests read TensorFlow-written files.
 */
final class TestTables {
    private TestTables() {
    }

    /** A table with all entries in one data block (every entry a restart point). */
    static byte[] table(List<LevelDbTable.Entry> entries, boolean snappy) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        ByteBuffer restarts = ByteBuffer.allocate(4 * Math.max(entries.size(), 1) + 4).order(ByteOrder.LITTLE_ENDIAN);
        for (LevelDbTable.Entry e : entries) {
            restarts.putInt(block.size());
            varint(block, 0);
            varint(block, e.key().length);
            varint(block, e.value().length);
            block.write(e.key());
            block.write(e.value());
        }
        if (entries.isEmpty()) {
            restarts.putInt(0);
        }
        restarts.putInt(Math.max(entries.size(), 1));
        block.write(restarts.array(), 0, restarts.position());
        byte[] lastKey = entries.isEmpty() ? new byte[0] : entries.getLast().key();
        return tableWithBlock(block.toByteArray(), lastKey, snappy);
    }

    /** A table whose one data block is {@code block} (entries, restarts, restart count) ending with {@code lastKey}. */
    static byte[] tableWithBlock(byte[] block, byte[] lastKey, boolean snappy) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long dataOffset = out.size();
        long dataSize = writeBlock(out, block, snappy);

        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        meta.write(new byte[] {0, 0, 0, 0, 1, 0, 0, 0});
        long metaOffset = out.size();
        long metaSize = writeBlock(out, meta.toByteArray(), false);

        ByteArrayOutputStream index = new ByteArrayOutputStream();
        ByteArrayOutputStream handle = new ByteArrayOutputStream();
        varint(handle, dataOffset);
        varint(handle, dataSize);
        varint(index, 0);
        varint(index, lastKey.length);
        varint(index, handle.size());
        index.write(lastKey);
        index.write(handle.toByteArray());
        index.write(new byte[] {0, 0, 0, 0, 1, 0, 0, 0});
        long indexOffset = out.size();
        long indexSize = writeBlock(out, index.toByteArray(), false);

        ByteArrayOutputStream footer = new ByteArrayOutputStream();
        varint(footer, metaOffset);
        varint(footer, metaSize);
        varint(footer, indexOffset);
        varint(footer, indexSize);
        footer.write(new byte[40 - footer.size()]);
        footer.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Checkpoints.LEVELDB_TABLE_MAGIC).array());
        out.write(footer.toByteArray());
        return out.toByteArray();
    }

    private static long writeBlock(ByteArrayOutputStream out, byte[] contents, boolean snappy) throws IOException {
        byte[] stored = contents;
        if (snappy) {
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (SnappyCompressorOutputStream s = new SnappyCompressorOutputStream(compressed, contents.length)) {
                s.write(contents);
            }
            stored = compressed.toByteArray();
        }
        byte[] withType = java.util.Arrays.copyOf(stored, stored.length + 1);
        withType[stored.length] = (byte) (snappy ? 1 : 0);
        int crc = Crc32c.of(MemorySegment.ofArray(withType), 0, withType.length);
        out.write(withType);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Crc32c.mask(crc)).array());
        return stored.length;
    }

    static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** A varint-typed protobuf field. */
    static byte[] varintField(int field, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) field << 3);
        varint(out, value);
        return out.toByteArray();
    }

    /**
     * {@code message} with every occurrence of varint field {@code field} dropped and
     * {@code replacement} appended (protobuf readers take the last value of a repeated scalar).
     */
    static byte[] withField(byte[] message, int field, long replacement) throws ProtoReader.Malformed {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProtoReader r = new ProtoReader(message);
        int start = 0;
        while (r.next()) {
            boolean drop = r.field() == field;
            r.skip();
            int end = r.position();
            if (!drop) {
                out.write(message, start, end - start);
            }
            start = end;
        }
        out.writeBytes(varintField(field, replacement));
        return out.toByteArray();
    }
}
