package io.github.vectorlm.checkpoint;

import java.nio.charset.StandardCharsets;

/**
 * Decodes the protocol-buffer wire format by hand, field by field, with every length checked
 * against the bytes at hand. Callers loop over {@link #next()} and read or {@link #skip()} each
 * field; malformed input throws {@link Malformed}, which the caller turns into a
 * {@link CorruptCheckpointException} naming the file and entry.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    /** The bytes do not decode as protocol-buffer wire format. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private final byte[] bytes;
    private int position;
    private final int end;
    private int field;
    private int wireType;

    ProtoReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    ProtoReader(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.position = offset;
        this.end = offset + length;
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() throws Malformed {
        if (position >= end) {
            return false;
        }
        long tag = readVarint();
        field = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (field <= 0 || tag >>> 3 > Integer.MAX_VALUE) {
            throw new Malformed("bad field number in tag " + tag + " at byte " + position);
        }
        return true;
    }

    /** The current field's number. */
    int field() {
        return field;
    }

    /** Byte position in the underlying array (after the current field once it is read or skipped). */
    int position() {
        return position;
    }

    /** The current field's wire type. */
    int wireType() {
        return wireType;
    }

    /** The current field as a varint (int32, int64, uint, bool, enum). */
    long varint() throws Malformed {
        expect(VARINT);
        return readVarint();
    }

    /** The current field as a little-endian fixed32. */
    int fixed32() throws Malformed {
        expect(FIXED32);
        need(4);
        int v = (bytes[position] & 0xff) | (bytes[position + 1] & 0xff) << 8
                | (bytes[position + 2] & 0xff) << 16 | (bytes[position + 3] & 0xff) << 24;
        position += 4;
        return v;
    }

    /** The current length-delimited field as a reader over its bytes (an embedded message). */
    ProtoReader message() throws Malformed {
        int length = lengthPrefix();
        ProtoReader inner = new ProtoReader(bytes, position, length);
        position += length;
        return inner;
    }

    /** The current length-delimited field as UTF-8 text. */
    String string() throws Malformed {
        int length = lengthPrefix();
        String s = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return s;
    }

    /** Skips the current field, whatever its wire type (groups are refused: no TF message uses them). */
    void skip() throws Malformed {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                need(8);
                position += 8;
            }
            case LENGTH_DELIMITED -> {
                int length = lengthPrefix(); // read first: it moves position past the length
                position += length;
            }
            case FIXED32 -> {
                need(4);
                position += 4;
            }
            default -> throw new Malformed("unsupported wire type " + wireType + " of field " + field);
        }
    }

    private int lengthPrefix() throws Malformed {
        expect(LENGTH_DELIMITED);
        long length = readVarint();
        if (length < 0 || length > end - position) {
            throw new Malformed("field " + field + " claims " + length + " bytes but " + (end - position) + " remain");
        }
        return (int) length;
    }

    private void expect(int type) throws Malformed {
        if (wireType != type) {
            throw new Malformed("field " + field + " has wire type " + wireType + ", expected " + type);
        }
    }

    private void need(int n) throws Malformed {
        if (end - position < n) {
            throw new Malformed("field " + field + " needs " + n + " bytes but " + (end - position) + " remain");
        }
    }

    private long readVarint() throws Malformed {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= end) {
                throw new Malformed("varint runs past the end of the message");
            }
            byte b = bytes[position++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new Malformed("varint longer than 10 bytes");
    }
}
