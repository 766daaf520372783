package io.github.vectorlm.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.github.vectorlm.tensor.DType;
import io.github.vectorlm.tensor.MappedFile;
import io.github.vectorlm.tensor.Shape;
import io.github.vectorlm.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** An open safetensors file; see {@link SafetensorsReader}. */
final class SafetensorsCheckpoint implements Checkpoint {
    /** The reference implementation's cap on the header (safetensors' {@code MAX_HEADER_SIZE}). */
    static final long MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";

    /** Duplicate names are refused, as serde refuses them in the reference implementation. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(ReaderLimits.MAX_JSON_NESTING_DEPTH)
                    .maxStringLength(ReaderLimits.MAX_JSON_STRING_CHARS)
                    .maxNameLength(ReaderLimits.MAX_NAME_CHARS)
                    .maxNumberLength(40) // offsets and dims are u64: 20 digits
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** One validated header entry; {@code begin} is relative to the start of the data area. */
    record Entry(String name, DType dtype, Shape shape, long begin, long end) {
    }

    private final Path path;
    private final MappedFile file;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final List<String> names;
    private final Map<String, String> metadata;
    private final Map<String, Object> content;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsCheckpoint(Path path, MappedFile file, long dataStart, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.path = path;
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
        this.names = List.copyOf(entries.keySet());
        this.metadata = metadata;
        Map<String, Object> c = new LinkedHashMap<>();
        if (metadata != null) {
            c.put(METADATA_KEY, metadata);
        }
        for (String name : names) {
            c.put(name, new TensorRef(name));
        }
        this.content = Collections.unmodifiableMap(c);
    }

    static Checkpoint open(Path path) throws IOException {
        MappedFile file = MappedFile.open(path);
        try {
            long size = file.size();
            if (size < 8) {
                throw new CorruptCheckpointException(path, null, "file of " + size
                        + " bytes is too short for the 8-byte header length; it is truncated");
            }
            long headerLength = file.segment().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLength < 0 || headerLength > size - 8) {
                throw new CorruptCheckpointException(path, null, "header length " + Long.toUnsignedString(headerLength)
                        + " runs past the end of the " + size + "-byte file; it is truncated or not safetensors");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new CorruptCheckpointException(path, null, "header length " + headerLength
                        + " exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes");
            }
            byte[] header = file.segment().asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            long dataStart = 8 + headerLength;
            Header parsed = parseHeader(path, header, size - dataStart);
            return new SafetensorsCheckpoint(path, file, dataStart, parsed.entries(), parsed.metadata());
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    record Header(Map<String, Entry> entries, Map<String, String> metadata) {
    }

    /**
     * Parses and validates a header against a data area of {@code dataBytes} bytes. Streams the
     * JSON with jackson-core (no tree, no data binding): opening costs the header's size only.
     */
    static Header parseHeader(Path path, byte[] header, long dataBytes) throws CheckpointException {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(header));
        } catch (CharacterCodingException e) {
            throw new CorruptCheckpointException(path, null, "header is not valid UTF-8", e);
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = null;
        try (JsonParser p = JSON.createParser(header)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new CorruptCheckpointException(path, null, "header is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals(METADATA_KEY)) {
                    metadata = parseMetadata(path, p);
                } else {
                    if (entries.size() == ReaderLimits.MAX_TENSORS) {
                        throw new UnsupportedCheckpointException(path, null, "header lists more than "
                                + ReaderLimits.describe(ReaderLimits.MAX_TENSORS, "MAX_TENSORS") + " tensors");
                    }
                    entries.put(name, parseEntry(path, name, p, dataBytes));
                }
            }
            if (p.nextToken() != null) {
                throw new CorruptCheckpointException(path, null, "header has content after its JSON object");
            }
        } catch (JacksonException e) {
            throw new CorruptCheckpointException(path, null, "header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CorruptCheckpointException(path, null, "header cannot be read: " + e.getMessage(), e);
        }
        checkTiling(path, entries, dataBytes);
        return new Header(Collections.unmodifiableMap(entries), metadata);
    }

    private static Map<String, String> parseMetadata(Path path, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new CorruptCheckpointException(path, METADATA_KEY, "must be an object of strings, found " + p.currentToken());
        }
        Map<String, String> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new CorruptCheckpointException(path, METADATA_KEY, "value of '" + key
                        + "' must be a string, found " + p.currentToken());
            }
            m.put(key, p.getText());
        }
        return Collections.unmodifiableMap(m);
    }

    private static Entry parseEntry(Path path, String name, JsonParser p, long dataBytes) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new CorruptCheckpointException(path, name, "entry must be an object, found " + p.currentToken());
        }
        String dtypeName = null;
        long[] dims = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw new CorruptCheckpointException(path, name, "dtype must be a string, found " + value);
                    }
                    dtypeName = p.getText();
                }
                case "shape" -> dims = longArray(path, name, field, p);
                case "data_offsets" -> offsets = longArray(path, name, field, p);
                default -> p.skipChildren(); // the reference implementation ignores unknown fields too
            }
        }
        if (dtypeName == null || dims == null || offsets == null || offsets.length != 2) {
            throw new CorruptCheckpointException(path, name, "entry needs \"dtype\" (string), \"shape\" (array) and "
                    + "\"data_offsets\" ([begin, end])");
        }
        DType dtype = dtypeOf(path, name, dtypeName);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataBytes) {
            throw new CorruptCheckpointException(path, name, "data_offsets [" + begin + ", " + end
                    + "] do not lie inside the " + dataBytes + "-byte data area");
        }
        Shape shape;
        long bytes;
        try {
            shape = Shape.of(dims);
            bytes = Math.multiplyExact(shape.numel(), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CorruptCheckpointException(path, name, "shape " + java.util.Arrays.toString(dims) + " of " + dtype
                    + " has more bytes than a long holds");
        }
        if (bytes != end - begin) {
            throw new CorruptCheckpointException(path, name, dtype + " " + shape + " needs " + bytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** A JSON array of non-negative integers that fit a long; at most {@link ReaderLimits#MAX_RANK} of them. */
    private static long[] longArray(Path path, String name, String field, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new CorruptCheckpointException(path, name, field + " must be an array, found " + p.currentToken());
        }
        long[] values = new long[8];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0) {
                throw new CorruptCheckpointException(path, name, field + " must hold non-negative integers, found "
                        + p.getText());
            }
            if (n == ReaderLimits.MAX_RANK) {
                throw new UnsupportedCheckpointException(path, name, field + " has more than "
                        + ReaderLimits.describe(ReaderLimits.MAX_RANK, "MAX_RANK") + " values");
            }
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, 2 * n);
            }
            values[n++] = p.getLongValue();
        }
        return java.util.Arrays.copyOf(values, n);
    }

    /** Every dtype the safetensors format defines that tensor-core holds; the names are the format's. */
    static DType dtypeOf(Path path, String name, String dtype) throws UnsupportedCheckpointException {
        return switch (dtype) {
            case "BOOL" -> DType.BOOL;
            case "U8" -> DType.U8;
            case "I8" -> DType.I8;
            case "F8_E5M2" -> DType.F8_E5M2;
            case "F8_E4M3" -> DType.F8_E4M3;
            case "I16" -> DType.I16;
            case "U16" -> DType.U16;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "I32" -> DType.I32;
            case "U32" -> DType.U32;
            case "F32" -> DType.F32;
            case "F64" -> DType.F64;
            case "I64" -> DType.I64;
            case "U64" -> DType.U64;
            default -> throw new UnsupportedCheckpointException(path, name, "dtype \"" + dtype + "\" is not supported "
                    + "(readable: BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64)");
        };
    }

    /** The name safetensors gives {@code dtype} (the enum names match the format's). */
    static String dtypeName(DType dtype) {
        return dtype.name();
    }

    /**
     * The reference implementation's rule: sorted by offsets, the entries tile the data area
     * from 0 to its end, each beginning where the previous ended.
     */
    private static void checkTiling(Path path, Map<String, Entry> entries, long dataBytes) throws CorruptCheckpointException {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() != expected) {
                String problem = e.begin() < expected
                        ? "data_offsets [" + e.begin() + ", " + e.end() + "] overlap '" + previous.name() + "' ending at " + expected
                        : "data_offsets [" + e.begin() + ", " + e.end() + "] leave a hole of " + (e.begin() - expected)
                                + " bytes after " + (previous == null ? "the header" : "'" + previous.name() + "'");
                throw new CorruptCheckpointException(path, e.name(), problem);
            }
            expected = e.end();
            previous = e;
        }
        if (expected != dataBytes) {
            throw new CorruptCheckpointException(path, previous == null ? null : previous.name(),
                    "tensors end at data byte " + expected + " but the data area holds " + dataBytes
                            + " bytes; the file has trailing bytes or is incomplete");
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public CheckpointFormat format() {
        return CheckpointFormat.SAFETENSORS;
    }

    @Override
    public List<String> tensorNames() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        Entry e = entry(name);
        return new TensorInfo(name, e.dtype(), e.shape());
    }

    @Override
    public Tensor tensor(String name) {
        Entry e = entry(name);
        if (closed.get()) {
            throw new IllegalStateException(path + " is closed");
        }
        return Tensor.of(e.dtype(), e.shape(), file.segment(), dataStart + e.begin());
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(path + ": no tensor '" + name + "'");
        }
        return e;
    }

    @Override
    public Object content() {
        return content;
    }

    @Override
    public Map<String, String> stringMetadata() {
        return metadata == null ? Map.of() : metadata;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            file.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsCheckpoint[" + path + ", " + names.size() + " tensors]";
    }
}
