package io.github.vectorlm.checkpoint;

import static io.github.vectorlm.checkpoint.GgufCheckpoint.ALIGNMENT_KEY;
import static io.github.vectorlm.checkpoint.GgufCheckpoint.DEFAULT_ALIGNMENT;
import static io.github.vectorlm.checkpoint.GgufCheckpoint.I32;
import static io.github.vectorlm.checkpoint.GgufCheckpoint.I64;
import static io.github.vectorlm.checkpoint.GgufCheckpoint.MAGIC;
import static io.github.vectorlm.checkpoint.GgufCheckpoint.MAX_DIMS;
import static io.github.vectorlm.checkpoint.GgufCheckpoint.MAX_JAVA_ARRAY;
import static io.github.vectorlm.checkpoint.GgufCheckpoint.MIN_KV_BYTES;
import static io.github.vectorlm.checkpoint.GgufCheckpoint.MIN_TENSOR_INFO_BYTES;

import io.github.vectorlm.checkpoint.GgufCheckpoint.Entry;
import io.github.vectorlm.checkpoint.GgufCheckpoint.GgufArray;
import io.github.vectorlm.tensor.BlockType;
import io.github.vectorlm.tensor.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates a GGUF file's header in one pass (key/values, tensor infos, alignment, data
 * offset), every count, length, offset and dimension checked before use; fills its fields for
 * {@link GgufCheckpoint}.
 */
final class GgufParser {
    private final Path path;
    private final MemorySegment seg;
    private final long size;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private long pos;
    /** Metadata values so far: one per key, one per array element. */
    private long values;

    int version;
    long alignment = DEFAULT_ALIGNMENT;
    long dataOffset;
    final Map<String, Object> metadata = new LinkedHashMap<>();
    final Map<String, GgufValueType> types = new LinkedHashMap<>();
    final Map<String, GgufValueType> elementTypes = new LinkedHashMap<>();
    final Map<String, Entry> entries = new LinkedHashMap<>();

    GgufParser(Path path, MemorySegment seg) {
        this.path = path;
        this.seg = seg;
        this.size = seg.byteSize();
    }

    void parse() throws CheckpointException {
        if (size < 24) {
            throw corrupt(null, "file of " + size + " bytes is too short for a GGUF header (24 bytes); it is truncated");
        }
        if (seg.get(I32, 0) != MAGIC) {
            throw corrupt(null, "does not start with the GGUF magic bytes 'GGUF'");
        }
        int v = seg.get(I32, 4);
        if (v != 2 && v != 3) {
            int swapped = Integer.reverseBytes(v);
            if (swapped >= 1 && swapped <= 3) {
                throw new UnsupportedCheckpointException(path, null, "is a big-endian GGUF file (version " + swapped
                        + "); only little-endian files are read");
            }
            throw new UnsupportedCheckpointException(path, null, "GGUF version " + Integer.toUnsignedString(v)
                    + (v == 1 ? " is no longer supported (ggml dropped it too)" : " is unknown") + "; versions 2 and 3 are read");
        }
        version = v;
        pos = 8;
        long tensorCount = count(null, () -> "tensor count");
        long kvCount = count(null, () -> "metadata key/value count");
        if (kvCount > (size - pos) / MIN_KV_BYTES) {
            throw corrupt(null, "header says " + kvCount + " metadata key/value pairs but the " + (size - pos)
                    + " bytes left hold at most " + (size - pos) / MIN_KV_BYTES);
        }
        addValues(kvCount, () -> "header (byte 16) says " + kvCount + " metadata key/value pairs, more than");
        for (long i = 0; i < kvCount; i++) {
            readKeyValue(i);
        }
        readAlignment();
        if (tensorCount > (size - pos) / MIN_TENSOR_INFO_BYTES) {
            throw corrupt(null, "header says " + tensorCount + " tensors but the " + (size - pos)
                    + " bytes left hold at most " + (size - pos) / MIN_TENSOR_INFO_BYTES + " tensor infos");
        }
        if (tensorCount > ReaderLimits.MAX_TENSORS) {
            throw new UnsupportedCheckpointException(path, null, "header (byte 8) says " + tensorCount
                    + " tensors, more than " + ReaderLimits.describe(ReaderLimits.MAX_TENSORS, "MAX_TENSORS"));
        }
        for (long i = 0; i < tensorCount; i++) {
            readTensorInfo(i);
        }
        dataOffset = pad(null, pos);
        placeTensors();
    }

    private void readKeyValue(long index) throws CheckpointException {
        String key = name(null, () -> "metadata key " + index);
        if (types.containsKey(key)) {
            throw corrupt(null, "metadata key '" + key + "' appears twice");
        }
        GgufValueType type = valueType(key, u32(null, () -> "type of metadata key '" + key + "'"));
        types.put(key, type);
        metadata.put(key, value(key, type, 1));
    }

    private GgufValueType valueType(String key, long id) throws CorruptCheckpointException {
        GgufValueType type = GgufValueType.ofId(id);
        if (type == null) {
            throw corrupt(null, "metadata key '" + key + "' has GGUF value type " + id + ", which does not exist");
        }
        return type;
    }

    /** A value of {@code type}; {@code depth} counts the arrays it is in, itself included when it is one. */
    private Object value(String key, GgufValueType type, int depth) throws CheckpointException {
        What where = () -> "metadata key '" + key + "'";
        return switch (type) {
            case STRING -> string(null, where);
            case ARRAY -> {
                if (depth > ReaderLimits.MAX_GGUF_ARRAY_NESTING) {
                    throw new UnsupportedCheckpointException(path, null, where.text() + " nests arrays deeper than "
                            + ReaderLimits.describe(ReaderLimits.MAX_GGUF_ARRAY_NESTING, "MAX_GGUF_ARRAY_NESTING")
                            + " levels at byte " + pos);
                }
                GgufValueType element = valueType(key, u32(null, () -> where.text() + " array element type"));
                if (depth == 1) {
                    elementTypes.put(key, element);
                }
                long count = count(null, () -> where.text() + " array length");
                long room = (size - pos) / element.minBytes();
                if (count > room) {
                    throw corrupt(null, where.text() + " is an array of " + count + " " + element + " values, but the "
                            + (size - pos) + " bytes left in the file hold at most " + room);
                }
                long at = pos - 8;
                addValues(count, () -> where.text() + " is an array of " + count + " values (length at byte " + at
                        + "), which brings the metadata to more than");
                if (count > MAX_JAVA_ARRAY) {
                    throw new UnsupportedCheckpointException(path, null, where.text() + " is an array of " + count
                            + " values, more than this reader holds");
                }
                if (element.isFixedSize()) {
                    if (count * element.minBytes() > MAX_JAVA_ARRAY) {
                        throw new UnsupportedCheckpointException(path, null, where.text() + " is an array of "
                                + count * element.minBytes() + " bytes, more than this reader holds");
                    }
                    byte[] raw = new byte[(int) (count * element.minBytes())];
                    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, raw, 0, raw.length);
                    pos += raw.length;
                    yield new GgufArray(element, raw, (int) count);
                }
                List<Object> list = new ArrayList<>((int) Math.min(count, 1 << 16));
                for (long i = 0; i < count; i++) {
                    list.add(value(key, element, depth + 1));
                }
                yield Collections.unmodifiableList(list);
            }
            default -> {
                need(null, type.minBytes(), () -> where.text() + " " + type + " value");
                Object v = GgufArray.decode(type, seg, pos);
                pos += type.minBytes();
                yield v;
            }
        };
    }

    private void readAlignment() throws CorruptCheckpointException {
        GgufValueType type = types.get(ALIGNMENT_KEY);
        if (type == null) {
            return;
        }
        if (type != GgufValueType.UINT32) {
            throw corrupt(null, "metadata key '" + ALIGNMENT_KEY + "' must be a UINT32, found " + type);
        }
        long a = (Long) metadata.get(ALIGNMENT_KEY);
        if (a == 0 || (a & (a - 1)) != 0) {
            throw corrupt(null, "metadata key '" + ALIGNMENT_KEY + "' is " + a + ", not a power of two");
        }
        alignment = a;
    }

    private void readTensorInfo(long index) throws CheckpointException {
        String name = name(null, () -> "name of tensor " + index);
        if (entries.containsKey(name)) {
            throw corrupt(name, "appears twice among the tensor infos");
        }
        long dims = u32(name, () -> "dimension count");
        if (dims > MAX_DIMS) {
            throw new UnsupportedCheckpointException(path, name, "has " + dims + " dimensions; ggml allows at most "
                    + MAX_DIMS);
        }
        long[] ne = new long[(int) dims];
        for (int d = 0; d < dims; d++) {
            int axis = d;
            ne[d] = u64(name, () -> "dimension " + axis);
            if (ne[d] < 0) {
                throw corrupt(name, "dimension " + d + " is " + Long.toUnsignedString(ne[d]) + ", more than a long holds");
            }
        }
        long[] rowMajor = new long[ne.length];
        for (int d = 0; d < ne.length; d++) {
            rowMajor[d] = ne[ne.length - 1 - d];
        }
        Shape shape;
        try {
            shape = Shape.of(rowMajor);
        } catch (ArithmeticException e) {
            throw corrupt(name, "ne " + Arrays.toString(ne) + " has more elements than a long holds");
        }
        long typeId = u32(name, () -> "ggml type");
        GgmlType type = GgmlType.ofId(typeId);
        if (type == null) {
            throw new UnsupportedCheckpointException(path, name, "has ggml type " + typeId
                    + ", which this library does not know (retired, or newer than it)");
        }
        long bytes;
        try {
            BlockType block = type.blockType();
            if (block != null) {
                long rowLength = ne.length == 0 ? 1 : ne[0];
                if (rowLength % block.blockSize() != 0) {
                    throw corrupt(name, "is " + type + " but its rows (ne[0]) of " + rowLength
                            + " values are not a whole number of blocks of " + block.blockSize());
                }
                bytes = block.bytesFor(shape.numel());
            } else {
                bytes = Math.multiplyExact(shape.numel(), (long) type.dtype().byteSize());
            }
        } catch (ArithmeticException e) {
            throw corrupt(name, type + " " + shape + " has more bytes than a long holds");
        }
        long offset = u64(name, () -> "data offset");
        entries.put(name, new Entry(name, type, shape, offset, bytes));
    }

    /**
     * ggml's layout rule: tensor i starts where tensor i - 1 ends, rounded up to the alignment;
     * and every tensor lies inside the file.
     */
    private void placeTensors() throws CorruptCheckpointException {
        long expected = 0;
        for (Entry e : List.copyOf(entries.values())) {
            long offset = e.offset();
            if (offset != expected) {
                throw corrupt(e.name(), "data offset is " + Long.toUnsignedString(offset) + " but ggml's layout puts it at "
                        + expected + " (the tensors before it, each padded to the alignment of " + alignment + ")");
            }
            long start;
            long end;
            try {
                start = Math.addExact(dataOffset, offset);
                end = Math.addExact(start, e.bytes());
                expected = pad(e.name(), Math.addExact(offset, e.bytes()));
            } catch (ArithmeticException x) {
                throw corrupt(e.name(), "data offset " + offset + " plus " + e.bytes() + " bytes overflows a long");
            }
            if (end > size) {
                throw corrupt(e.name(), "data [" + start + ", " + end + ") of " + e.type() + " " + e.shape()
                        + " run past the end of the " + size + "-byte file; it is truncated");
            }
            entries.put(e.name(), new Entry(e.name(), e.type(), e.shape(), start, e.bytes()));
        }
    }

    private long pad(String tensor, long at) throws CorruptCheckpointException {
        try {
            return Math.multiplyExact(Math.ceilDiv(at, alignment), alignment);
        } catch (ArithmeticException e) {
            throw corrupt(tensor, "offset " + at + " rounded up to the alignment of " + alignment + " overflows a long");
        }
    }

    private void need(String tensor, long bytes, What what) throws CorruptCheckpointException {
        if (bytes > size - pos) {
            throw corrupt(tensor, what.text() + " at byte " + pos + " needs " + bytes + " bytes but the file ends at "
                    + size + "; it is truncated");
        }
    }

    private long u32(String tensor, What what) throws CorruptCheckpointException {
        need(tensor, 4, what);
        long v = seg.get(I32, pos) & 0xffffffffL;
        pos += 4;
        return v;
    }

    private long u64(String tensor, What what) throws CorruptCheckpointException {
        need(tensor, 8, what);
        long v = seg.get(I64, pos);
        pos += 8;
        return v;
    }

    /** A u64 count that must fit a long (ggml reads them as int64). */
    private long count(String tensor, What what) throws CorruptCheckpointException {
        long v = u64(tensor, what);
        if (v < 0) {
            throw corrupt(tensor, what.text() + " is " + Long.toUnsignedString(v) + ", more than a long holds");
        }
        return v;
    }

    /**
     * Counts {@code n} more metadata values against {@link ReaderLimits#MAX_CONTENT_VALUES};
     * {@code what} words the refusal, the limit's description following it.
     */
    private void addValues(long n, What what) throws UnsupportedCheckpointException {
        values += n; // no overflow: n is at most the bytes left, values at most the limit
        if (values > ReaderLimits.MAX_CONTENT_VALUES) {
            throw new UnsupportedCheckpointException(path, null, what.text() + " "
                    + ReaderLimits.describe(ReaderLimits.MAX_CONTENT_VALUES, "MAX_CONTENT_VALUES") + " values");
        }
    }

    /**
     * A key or tensor name: a string of at most {@link ReaderLimits#MAX_NAME_CHARS} characters,
     * refused before it is copied when its bytes cannot decode to so few (UTF-8 spends at most
     * three bytes per UTF-16 unit).
     */
    private String name(String tensor, What what) throws CheckpointException {
        long at = pos;
        long length = peekCount(tensor, () -> what.text() + " length");
        if (length > 3L * ReaderLimits.MAX_NAME_CHARS && length <= size - at - 8) { // else: truncated, below
            throw tooLong(tensor, what, at, length + " bytes");
        }
        String name = string(tensor, what);
        if (name.length() > ReaderLimits.MAX_NAME_CHARS) {
            throw tooLong(tensor, what, at, name.length() + " characters");
        }
        return name;
    }

    private UnsupportedCheckpointException tooLong(String tensor, What what, long at, String length) {
        return new UnsupportedCheckpointException(path, tensor, what.text() + " at byte " + at + " is a name of "
                + length + ", longer than " + ReaderLimits.describe(ReaderLimits.MAX_NAME_CHARS, "MAX_NAME_CHARS")
                + " characters");
    }

    /** {@link #count}, leaving the position where it was. */
    private long peekCount(String tensor, What what) throws CorruptCheckpointException {
        long at = pos;
        long v = count(tensor, what);
        pos = at;
        return v;
    }

    private String string(String tensor, What what) throws CheckpointException {
        long length = count(tensor, () -> what.text() + " length");
        if (length > size - pos) {
            throw corrupt(tensor, what.text() + " is a string of " + length + " bytes at byte " + pos
                    + " but the file ends at " + size + "; it is truncated");
        }
        if (length > MAX_JAVA_ARRAY) {
            throw new UnsupportedCheckpointException(path, tensor, what.text() + " is a string of " + length
                    + " bytes, more than this reader holds");
        }
        if (length == 0) {
            return "";
        }
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, bytes, 0, bytes.length);
        pos += length;
        // the JDK's String decoding is fast but replaces bad bytes with U+FFFD: only a string
        // holding one (rare) is decoded again strictly, to tell a real U+FFFD from damage
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') >= 0) {
            try {
                utf8.reset().decode(ByteBuffer.wrap(bytes));
            } catch (CharacterCodingException e) {
                throw new CorruptCheckpointException(path, tensor, what.text() + " is not valid UTF-8", e);
            }
        }
        return text;
    }

    /** What is being read, for an error message: built only when one is thrown. */
    private interface What {
        String text();
    }

    private CorruptCheckpointException corrupt(String tensor, String problem) {
        return new CorruptCheckpointException(path, tensor, problem);
    }
}
