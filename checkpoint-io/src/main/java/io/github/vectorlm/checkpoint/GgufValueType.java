package io.github.vectorlm.checkpoint;

/**
 * The types of GGUF metadata values ({@code enum gguf_type}), by their id in the file. How each
 * appears in {@link Checkpoint#content()} is said by {@link GgufReader}.
 */
public enum GgufValueType {
    /** unsigned 8-bit integer. */
    UINT8(0, 1),
    /** signed 8-bit integer. */
    INT8(1, 1),
    /** unsigned 16-bit integer. */
    UINT16(2, 2),
    /** signed 16-bit integer. */
    INT16(3, 2),
    /** unsigned 32-bit integer. */
    UINT32(4, 4),
    /** signed 32-bit integer. */
    INT32(5, 4),
    /** IEEE binary32. */
    FLOAT32(6, 4),
    /** one byte: 0 is false, anything else true (as ggml reads it). */
    BOOL(7, 1),
    /** u64 byte length, then that many bytes of UTF-8. */
    STRING(8, 8),
    /** u32 element type, u64 count, then the elements (an element array is again type, count, elements). */
    ARRAY(9, 12),
    /** unsigned 64-bit integer. */
    UINT64(10, 8),
    /** signed 64-bit integer. */
    INT64(11, 8),
    /** IEEE binary64. */
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /** The type's id in the file. */
    public int id() {
        return id;
    }

    /** The fewest bytes a value of this type takes: its size for numbers, its length field for a string. */
    int minBytes() {
        return minBytes;
    }

    /** Whether values of this type have one fixed size ({@link #minBytes()}). */
    boolean isFixedSize() {
        return this != STRING && this != ARRAY;
    }

    /** The type with id {@code id}, or null. */
    static GgufValueType ofId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
