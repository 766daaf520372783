package io.github.vectorlm.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.vectorlm.tensor.Tensor;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Several checkpoint files joined by a Hugging Face weight map: {@code model.safetensors.index.json}
 * or {@code pytorch_model.bin.index.json}, i.e. {@code {"metadata": {...}, "weight_map": {tensor
 * name: shard file name}}}.
 *
 * <p>Opening opens every shard the map names (each through {@link Checkpoints#open}, so any format
 * works), and checks that every mapped tensor exists in its shard. The result exposes the union:
 * the weight map's names in its order, then any tensor a shard holds that the map does not list
 * (names must be unique across shards). Shard names must be plain file names beside the index, of
 * files that are no shard index themselves (an index naming itself would be opened without end),
 * at most {@link ReaderLimits#MAX_SHARD_FILES} of them.
 * {@link Checkpoint#content()} is {@code {"metadata": ..., "weight_map": ...}} as plain objects;
 * {@link Checkpoint#stringMetadata()} holds the metadata's scalar values as strings
 * (e.g. {@code total_size}).
 */
public final class ShardedCheckpoint implements Checkpoint {
    /** Index files are small (tens of kB for 20B-parameter models); refuse anything absurd. */
    private static final long MAX_INDEX_BYTES = 64L << 20;
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(ReaderLimits.MAX_JSON_NESTING_DEPTH)
                            .maxStringLength(ReaderLimits.MAX_JSON_STRING_CHARS)
                            .maxNameLength(ReaderLimits.MAX_NAME_CHARS)
                            .maxNumberLength(ReaderLimits.MAX_JSON_NUMBER_CHARS)
                            .build())
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private final Path index;
    private final Map<String, Checkpoint> shardOf;      // tensor name -> its shard
    private final List<String> names;
    private final List<Checkpoint> shards;
    private final Map<String, Object> content;
    private final Map<String, String> metadata;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ShardedCheckpoint(Path index, Map<String, Checkpoint> shardOf, List<Checkpoint> shards,
            Map<String, Object> content, Map<String, String> metadata) {
        this.index = index;
        this.shardOf = shardOf;
        this.names = List.copyOf(shardOf.keySet());
        this.shards = shards;
        this.content = content;
        this.metadata = metadata;
    }

    /**
     * Opens every shard an {@code *.index.json} names.
     *
     * @throws CorruptCheckpointException if the index is malformed, a shard is missing, or a mapped
     *     tensor is not in its shard
     */
    public static Checkpoint open(Path indexJson, CheckpointOptions options) throws IOException {
        if (Files.size(indexJson) > MAX_INDEX_BYTES) {
            throw new CorruptCheckpointException(indexJson, null, "shard index of " + Files.size(indexJson)
                    + " bytes is larger than any real one (" + MAX_INDEX_BYTES + " bytes at most)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(indexJson));
        } catch (JacksonException e) {
            throw new CorruptCheckpointException(indexJson, null, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (CharConversionException e) {
            throw new CorruptCheckpointException(indexJson, null, "not valid JSON text: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new CorruptCheckpointException(indexJson, null, "no \"weight_map\" object");
        }
        Map<String, String> fileOf = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().isTextual() ? e.getValue().textValue() : null;
            if (shard == null || shard.isEmpty() || shard.contains("/") || shard.contains("\\")
                    || shard.equals(".") || shard.equals("..")) {
                throw new CorruptCheckpointException(indexJson, e.getKey(), "weight_map names shard " + e.getValue()
                        + "; it must be a plain file name beside the index");
            }
            fileOf.put(e.getKey(), shard);
        }
        long distinctShards = fileOf.values().stream().distinct().count();
        if (distinctShards > ReaderLimits.MAX_SHARD_FILES) {
            throw new UnsupportedCheckpointException(indexJson, null, "weight_map names " + distinctShards
                    + " shard files, more than " + ReaderLimits.describe(ReaderLimits.MAX_SHARD_FILES, "MAX_SHARD_FILES"));
        }

        Path folder = indexJson.toAbsolutePath().getParent();
        Map<String, Checkpoint> opened = new LinkedHashMap<>();
        try {
            for (String file : fileOf.values()) {
                if (!opened.containsKey(file)) {
                    Path shardPath = folder.resolve(file);
                    try {
                        if (Files.isDirectory(shardPath)) {
                            throw new CorruptCheckpointException(shardPath, null, "shard named by the weight_map of "
                                    + indexJson.getFileName() + " is a folder; shards must be files");
                        }
                        if (Files.isRegularFile(shardPath) && Checkpoints.detect(shardPath) == CheckpointFormat.SHARDED) {
                            throw new CorruptCheckpointException(shardPath, null, "shard named by the weight_map of "
                                    + indexJson.getFileName() + " is itself a shard index; shards must hold tensors");
                        }
                        opened.put(file, Checkpoints.open(shardPath, options));
                    } catch (NoSuchFileException e) {
                        throw new CorruptCheckpointException(shardPath, null, "shard named by the weight_map of "
                                + indexJson.getFileName() + " is missing", e);
                    }
                }
            }
            Map<String, Checkpoint> shardOf = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : fileOf.entrySet()) {
                Checkpoint shard = opened.get(e.getValue());
                if (!shard.contains(e.getKey())) {
                    throw new CorruptCheckpointException(indexJson, e.getKey(), "weight_map puts it in shard '"
                            + e.getValue() + "', which has no such tensor");
                }
                shardOf.put(e.getKey(), shard);
            }
            for (Map.Entry<String, Checkpoint> e : opened.entrySet()) {
                for (String name : e.getValue().tensorNames()) {
                    Checkpoint owner = shardOf.putIfAbsent(name, e.getValue());
                    if (owner != null && owner != e.getValue() && !fileOf.containsKey(name)) {
                        throw new CorruptCheckpointException(indexJson, name, "tensor not in the weight_map is held by "
                                + "two shards, '" + owner.path().getFileName() + "' and '" + e.getKey() + "'");
                    }
                }
            }
            Map<String, Object> content = new LinkedHashMap<>();
            Object meta = root.has("metadata") ? plain(root.get("metadata")) : Map.of();
            content.put("metadata", meta);
            content.put("weight_map", Collections.unmodifiableMap(fileOf));
            Map<String, String> strings = new LinkedHashMap<>();
            if (root.get("metadata") != null && root.get("metadata").isObject()) {
                root.get("metadata").fields().forEachRemaining(f -> {
                    if (f.getValue().isValueNode() && !f.getValue().isNull()) {
                        strings.put(f.getKey(), f.getValue().asText());
                    }
                });
            }
            return new ShardedCheckpoint(indexJson, shardOf, List.copyOf(opened.values()),
                    Collections.unmodifiableMap(content), Collections.unmodifiableMap(strings));
        } catch (IOException | RuntimeException e) {
            opened.values().forEach(Checkpoint::close);
            throw e;
        }
    }

    /** A JSON tree as plain Java objects (Map, List, String, Long/BigInteger, Double, Boolean, null). */
    private static Object plain(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(f -> m.put(f.getKey(), plain(f.getValue())));
            return Collections.unmodifiableMap(m);
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(plain(x)));
            return Collections.unmodifiableList(l);
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        return n.isNull() ? null : n.asText();
    }

    /** The opened shards, in the order the weight map first names them. */
    public List<Checkpoint> shards() {
        return shards;
    }

    @Override
    public Path path() {
        return index;
    }

    @Override
    public CheckpointFormat format() {
        return CheckpointFormat.SHARDED;
    }

    @Override
    public List<String> tensorNames() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return shardOf.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public Tensor tensor(String name) throws IOException {
        return shard(name).tensor(name);
    }

    private Checkpoint shard(String name) {
        Checkpoint shard = shardOf.get(name);
        if (shard == null) {
            throw new IllegalArgumentException(index + ": no tensor '" + name + "'");
        }
        return shard;
    }

    @Override
    public Object content() {
        return content;
    }

    @Override
    public Map<String, String> stringMetadata() {
        return metadata;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            shards.forEach(Checkpoint::close);
        }
    }

    @Override
    public String toString() {
        return "ShardedCheckpoint[" + index + ", " + shards.size() + " shards, " + names.size() + " tensors]";
    }
}
