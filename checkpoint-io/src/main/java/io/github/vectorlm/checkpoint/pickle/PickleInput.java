package io.github.vectorlm.checkpoint.pickle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The bytes a {@link PickleMachine} reads, with its position: every read checks first that the
 * bytes are there, so a claimed length that runs past the end is a corrupt-pickle error, never an
 * allocation or an out-of-bounds access.
 */
final class PickleInput {
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final ValueLayout.OfShort U16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_BE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final MemorySegment input;
    private long pos;

    PickleInput(MemorySegment input) {
        this.input = input;
    }

    /** The offset of the next byte to read. */
    long position() {
        return pos;
    }

    /** Moves to {@code offset}. */
    void seek(long offset) {
        pos = offset;
    }

    long remaining() {
        return input.byteSize() - pos;
    }

    void need(long bytes) throws PickleException {
        if (bytes > remaining()) {
            throw PickleException.corrupt("truncated: needs " + bytes + " more bytes at byte " + pos + " but "
                    + remaining() + " remain (the pickle ends without STOP)");
        }
    }

    int readU8() throws PickleException {
        need(1);
        return input.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
    }

    int readU16() throws PickleException {
        need(2);
        int v = input.get(U16_LE, pos) & 0xffff;
        pos += 2;
        return v;
    }

    int readI32() throws PickleException {
        need(4);
        int v = input.get(I32_LE, pos);
        pos += 4;
        return v;
    }

    long readU32() throws PickleException {
        return readI32() & 0xffffffffL;
    }

    long readSignedLength32() throws PickleException {
        int n = readI32();
        if (n < 0) {
            throw PickleException.corrupt("negative length " + n);
        }
        return n;
    }

    long readLength64() throws PickleException {
        need(8);
        long n = input.get(I64_LE, pos);
        pos += 8;
        if (n < 0) {
            throw PickleException.corrupt("length " + Long.toUnsignedString(n) + " beyond any file");
        }
        return n;
    }

    double readF64BigEndian() throws PickleException {
        need(8);
        double v = input.get(F64_BE, pos);
        pos += 8;
        return v;
    }

    /** Reads {@code n} bytes, after checking that they are there: a claimed length allocates nothing. */
    byte[] readBytes(long n) throws PickleException {
        if (n > remaining()) {
            throw PickleException.corrupt("a length of " + n + " bytes at byte " + pos + " runs past the end ("
                    + remaining() + " bytes remain)");
        }
        if (n > MAX_ARRAY) {
            throw PickleException.unsupported("a string or bytes object of " + n + " bytes (more than a Java array holds)");
        }
        byte[] bytes = new byte[(int) n];
        MemorySegment.copy(input, ValueLayout.JAVA_BYTE, pos, bytes, 0, bytes.length);
        pos += n;
        return bytes;
    }

    /** The bytes up to the next newline (consumed, not returned), for the text opcodes of protocol 0. */
    byte[] readLine() throws PickleException {
        long end = input.byteSize();
        for (long i = pos; i < end; i++) {
            if (input.get(ValueLayout.JAVA_BYTE, i) == '\n') {
                byte[] line = readBytes(i - pos);
                pos++;
                return line;
            }
        }
        throw PickleException.corrupt("text argument at byte " + pos + " has no terminating newline");
    }
}
