package io.github.vectorlm.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes GGUF bytes by hand, for files no writer would make (broken or hostile ones). Field
 * layout follows ggml's gguf.cpp: u32 magic, u32 version, u64 tensor count, u64 key/value count,
 * the key/value pairs, the tensor infos, padding to the alignment, the data.
 */
final class GgufBytes {
    static final int F32 = 0;
    static final int Q8_0 = 8;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version 3, the two counts. */
    static GgufBytes header(long tensors, long keyValues) {
        return header(3, tensors, keyValues);
    }

    static GgufBytes header(int version, long tensors, long keyValues) {
        return new GgufBytes().u32(GgufCheckpoint.MAGIC).u32(version).u64(tensors).u64(keyValues);
    }

    GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    GgufBytes u32(long v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        return this;
    }

    GgufBytes u64(long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    GgufBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** A GGUF string: u64 length, UTF-8 bytes. */
    GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).raw(b);
    }

    /** A key and a value type; the value follows. */
    GgufBytes key(String key, GgufValueType type) {
        return str(key).u32(type.id());
    }

    GgufBytes kvU32(String key, long value) {
        return key(key, GgufValueType.UINT32).u32(value);
    }

    GgufBytes kvString(String key, String value) {
        return key(key, GgufValueType.STRING).str(value);
    }

    /** A tensor info: name, dimension count, ne (innermost first), ggml type id, data offset. */
    GgufBytes tensor(String name, long[] ne, int type, long offset) {
        str(name).u32(ne.length);
        for (long d : ne) {
            u64(d);
        }
        return u32(type).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    GgufBytes pad(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    /** {@code n} bytes of {@code value}. */
    GgufBytes fill(int n, int value) {
        for (int i = 0; i < n; i++) {
            out.write(value);
        }
        return this;
    }

    /** Little-endian floats. */
    GgufBytes floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return raw(b.array());
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
