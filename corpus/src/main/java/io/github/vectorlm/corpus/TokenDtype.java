package io.github.vectorlm.corpus;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The integer types a Megatron/GPT-NeoX indexed dataset stores tokens in, with the codes its
 * {@code .idx} header uses ({@code megatron/data/indexed_dataset.py}'s {@code dtypes}). The
 * float codes (6, 7) hold no token ids and are refused.
 */
public enum TokenDtype {
    /** Code 1, {@code np.uint8}. */
    UINT8(1, 1, 0, 255),
    /** Code 2, {@code np.int8}. */
    INT8(2, 1, -128, 127),
    /** Code 3, {@code np.int16}. */
    INT16(3, 2, Short.MIN_VALUE, Short.MAX_VALUE),
    /** Code 4, {@code np.int32}. */
    INT32(4, 4, Integer.MIN_VALUE, Integer.MAX_VALUE),
    /** Code 5, {@code np.int64}; ids beyond the int range are refused when read. */
    INT64(5, 8, Integer.MIN_VALUE, Integer.MAX_VALUE),
    /** Code 8, {@code np.uint16}. */
    UINT16(8, 2, 0, 65535);

    private final int code;
    private final int bytes;
    private final long min;
    private final long max;

    TokenDtype(int code, int bytes, long min, long max) {
        this.code = code;
        this.bytes = bytes;
        this.min = min;
        this.max = max;
    }

    /** The type GPT-NeoX's {@code best_fitting_dtype} picks for a vocabulary: uint16 below 65500 ids, else int32. */
    public static TokenDtype bestFitting(int vocabSize) {
        return vocabSize < 65500 ? UINT16 : INT32;
    }

    /**
     * The type of header code {@code code}.
     *
     * @throws IllegalArgumentException for a code that is not an integer type of the format
     */
    public static TokenDtype ofCode(int code) {
        for (TokenDtype t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("dtype code " + code + " is not an integer token type"
                + " (1 uint8, 2 int8, 3 int16, 4 int32, 5 int64, 8 uint16)");
    }

    /** The header code. */
    public int code() {
        return code;
    }

    /** Bytes per token. */
    public int bytes() {
        return bytes;
    }

    /** Whether {@code id} can be stored. */
    public boolean holds(long id) {
        return id >= min && id <= max;
    }

    /** Writes {@code id} (checked by the caller) at the buffer's position, little-endian. */
    void put(ByteBuffer out, int id) {
        switch (this) {
            case UINT8, INT8 -> out.put((byte) id);
            case UINT16, INT16 -> out.putShort((short) id);
            case INT32 -> out.putInt(id);
            case INT64 -> out.putLong(id);
        }
    }

    /** Writes {@code id} (checked by the caller) at byte {@code offset} of {@code out}, little-endian. */
    void put(byte[] out, int offset, int id) {
        switch (this) {
            case UINT8, INT8 -> out[offset] = (byte) id;
            case UINT16, INT16 -> LE_SHORT_ARRAY.set(out, offset, (short) id);
            case INT32 -> LE_INT_ARRAY.set(out, offset, id);
            case INT64 -> LE_LONG_ARRAY.set(out, offset, (long) id);
        }
    }

    private static final java.lang.invoke.VarHandle LE_SHORT_ARRAY =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle LE_INT_ARRAY =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle LE_LONG_ARRAY =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Reads the token at byte {@code offset} of {@code in}, little-endian. */
    long get(MemorySegment in, long offset) {
        return switch (this) {
            case UINT8 -> in.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
            case INT8 -> in.get(ValueLayout.JAVA_BYTE, offset);
            case UINT16 -> in.get(LE_SHORT, offset) & 0xFFFF;
            case INT16 -> in.get(LE_SHORT, offset);
            case INT32 -> in.get(LE_INT, offset);
            case INT64 -> in.get(LE_LONG, offset);
        };
    }

    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
}
