package io.github.vectorlm.checkpoint.torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes pickle opcodes by hand, for inputs no pickler would make (hostile or broken ones), and
 * wraps them into torch-shaped zip or legacy files. Opcode bytes follow Python's Lib/pickle.py.
 */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes proto(int protocol) {
        return new PickleBytes().op(0x80).raw(protocol);
    }

    PickleBytes op(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleBytes raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleBytes mark() {
        return op('(');
    }

    PickleBytes stop() {
        return op('.');
    }

    /** BINUNICODE. */
    PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return op('X').le32(b.length).raw(b);
    }

    /** LONG1 with 8 bytes: any long. */
    PickleBytes integer(long v) {
        return op(0x8a).raw(8).raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    /** GLOBAL module\nname\n. */
    PickleBytes global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    PickleBytes le32(int v) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    PickleBytes tuple(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return op('t');
    }

    /** ('storage', torch.<type>, key, 'cpu', numel) BINPERSID. */
    PickleBytes storage(String type, String key, long numel) {
        return mark().str("storage").global("torch", type).str(key).str("cpu").integer(numel).op('t').op('Q');
    }

    /** _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()) over {@code storage(...)}. */
    PickleBytes tensor(String type, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        storage(type, key, numel).integer(offset).tuple(size).tuple(stride);
        return op(0x89).global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /**
     * A torch zip: archive/data.pkl, then archive/data/&lt;key&gt; for each (key, bytes) pair (a key
     * starting with "archive/" is taken as the whole entry name), STORED.
     */
    static Path zip(Path file, byte[] pickle, Object... storages) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            stored(zip, "archive/data.pkl", pickle);
            for (int i = 0; i < storages.length; i += 2) {
                String key = (String) storages[i];
                stored(zip, key.startsWith("archive/") ? key : "archive/data/" + key, (byte[]) storages[i + 1]);
            }
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    /** Adds {@code data} to {@code zip} as a STORED entry (uncompressed, its CRC and size in the header). */
    static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * A legacy torch file: magic number, protocol 1001, sys_info, {@code pickle}, the key list,
     * then each (key, element count, bytes) triple.
     */
    static Path legacy(Path file, byte[] pickle, Object... storages) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // 0x1950a86a20f9469cfc6c as LONG1: 10 little-endian bytes
        out.writeBytes(proto(2).op(0x8a).raw(10).raw(0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)
                .stop().bytes());
        out.writeBytes(proto(2).op('M').raw(0xe9, 0x03).stop().bytes()); // BININT2 1001
        out.writeBytes(proto(2).op('}').str("little_endian").op(0x88).op('s').stop().bytes());
        out.writeBytes(pickle);
        PickleBytes keys = proto(2).op(']').mark();
        for (int i = 0; i < storages.length; i += 3) {
            keys.str((String) storages[i]);
        }
        out.writeBytes(keys.op('e').stop().bytes());
        for (int i = 0; i < storages.length; i += 3) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong((Long) storages[i + 1]).array());
            out.writeBytes((byte[]) storages[i + 2]);
        }
        Files.write(file, out.toByteArray());
        return file;
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
