package io.github.vectorlm.decoder;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.ReaderLimits;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The top-level settings of a config file (a JSON {@code config.json}, a YAML training config),
 * read with types checked at the boundary: every error names the file and the setting as the file
 * spells it. Values written as strings ({@code "1e-5"}, which a YAML 1.1 parser does not take for a
 * number, or {@code "True"}) are accepted where a number or a boolean is expected. An absent or
 * {@code null} setting takes the fallback the caller passes: that is where a model's defaults live.
 *
 * <pre>{@code
 * ConfigReader c = ConfigReader.of(file, ConfigReader.readJson(file));
 * int layers = c.requiredInt("num_hidden_layers");
 * int positions = c.intOr("n_positions", c.intOr("max_position_embeddings", 1024));   // an alias
 * }</pre>
 */
public final class ConfigReader {
    /** Config files nest a few levels and hold short values: Jackson's bounds set to {@link ReaderLimits}'. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(readConstraints())
            .build());

    private final Path file;
    /** Normalised key → value (null values are dropped: they mean "not set"). */
    private final Map<String, JsonNode> values;
    /** Normalised key → the key as the file spells it. */
    private final Map<String, String> spellings;
    private final boolean dashesAreUnderscores;

    private ConfigReader(Path file, Map<String, JsonNode> values, Map<String, String> spellings,
            boolean dashesAreUnderscores) {
        this.file = file;
        this.values = values;
        this.spellings = spellings;
        this.dashesAreUnderscores = dashesAreUnderscores;
    }

    /**
     * Parses a JSON file.
     *
     * @param file the file
     * @return its root node (any kind: {@link #of} checks that it is an object)
     * @throws CorruptCheckpointException if it is not valid JSON, or nests deeper than
     *     {@link ReaderLimits#MAX_JSON_NESTING_DEPTH} (any bound of {@link #readConstraints()})
     * @throws UnsupportedCheckpointException if it is larger than {@link ReaderLimits#MAX_CONFIG_FILE_BYTES}
     * @throws IOException if it cannot be read
     */
    public static JsonNode readJson(Path file) throws IOException {
        checkFileSize(file);
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw new CorruptCheckpointException(file, null, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (CharConversionException e) {
            // Jackson took the first bytes for a UTF-16 or UTF-32 mark and met no such text
            throw new CorruptCheckpointException(file, null, "not valid JSON text: " + e.getMessage(), e);
        }
    }

    /**
     * The bounds every config file is parsed under, JSON or YAML: nesting
     * ({@link ReaderLimits#MAX_JSON_NESTING_DEPTH}), string, name and number lengths.
     *
     * @return Jackson's constraints set to {@link ReaderLimits}' values
     */
    public static StreamReadConstraints readConstraints() {
        return StreamReadConstraints.builder()
                .maxNestingDepth(ReaderLimits.MAX_JSON_NESTING_DEPTH)
                .maxStringLength(ReaderLimits.MAX_JSON_STRING_CHARS)
                .maxNameLength(ReaderLimits.MAX_JSON_NAME_CHARS)
                .maxNumberLength(ReaderLimits.MAX_JSON_NUMBER_CHARS)
                .build();
    }

    /**
     * Refuses a config file larger than {@link ReaderLimits#MAX_CONFIG_FILE_BYTES} before it is read.
     *
     * @param file the file
     * @throws UnsupportedCheckpointException if it is larger
     * @throws IOException if its size cannot be read
     */
    public static void checkFileSize(Path file) throws IOException {
        long size = Files.size(file);
        if (size > ReaderLimits.MAX_CONFIG_FILE_BYTES) {
            throw new UnsupportedCheckpointException(file, null, "config file of " + size + " bytes, more than "
                    + ReaderLimits.describe(ReaderLimits.MAX_CONFIG_FILE_BYTES, "MAX_CONFIG_FILE_BYTES")
                    + "; real ones are a few kB");
        }
    }

    /**
     * The members of a JSON object, keys as written.
     *
     * @param file the file, for messages
     * @param root the parsed file
     * @return the reader
     * @throws CheckpointException if {@code root} is not an object
     */
    public static ConfigReader of(Path file, JsonNode root) throws CheckpointException {
        return read(file, root, false);
    }

    /**
     * The members of a GPT-NeoX YAML mapping, whose keys may be spelled with dashes or underscores
     * ({@code num-layers}, {@code num_layers}): read with underscores; both spellings of one setting
     * must agree.
     *
     * @param file the file, for messages
     * @param root the parsed file
     * @return the reader
     * @throws CheckpointException if {@code root} is not a mapping, or two spellings disagree
     */
    public static ConfigReader ofDashedKeys(Path file, JsonNode root) throws CheckpointException {
        return read(file, root, true);
    }

    private static ConfigReader read(Path file, JsonNode root, boolean dashesAreUnderscores)
            throws CheckpointException {
        if (root == null || !root.isObject()) {
            throw new CorruptCheckpointException(file, null, "expected a mapping of settings at the top level, found "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        Map<String, String> spellings = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                continue;
            }
            String key = dashesAreUnderscores ? e.getKey().replace('-', '_') : e.getKey();
            JsonNode previous = values.get(key);
            if (previous != null && !previous.equals(e.getValue())) {
                throw new CorruptCheckpointException(file, null, "'" + spellings.get(key) + "' = " + previous
                        + " and '" + e.getKey() + "' = " + e.getValue() + " name the same setting with different values");
            }
            values.put(key, e.getValue());
            spellings.putIfAbsent(key, e.getKey());
        }
        return new ConfigReader(file, values, spellings, dashesAreUnderscores);
    }

    /**
     * The file the settings come from.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * Whether the setting is present and not null.
     *
     * @param key the setting (with underscores)
     * @return whether it is set
     */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /**
     * The raw value.
     *
     * @param key the setting
     * @return its node, or null when absent
     */
    public JsonNode node(String key) {
        return values.get(key);
    }

    /**
     * An integer setting that must be present.
     *
     * @param key the setting
     * @return its value
     * @throws CheckpointException if it is missing or not an integer
     */
    public int requiredInt(String key) throws CheckpointException {
        if (!has(key)) {
            throw missing(key);
        }
        return intValue(key);
    }

    /**
     * An integer setting.
     *
     * @param key the setting
     * @param fallback the value when it is absent
     * @return its value
     * @throws CheckpointException if it is present and not an integer
     */
    public int intOr(String key, int fallback) throws CheckpointException {
        return has(key) ? intValue(key) : fallback;
    }

    private int intValue(String key) throws CheckpointException {
        double v = number(key);
        if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw bad(key, "an integer");
        }
        return (int) v;
    }

    /**
     * A number setting.
     *
     * @param key the setting
     * @param fallback the value when it is absent
     * @return its value
     * @throws CheckpointException if it is present and not a number
     */
    public double doubleOr(String key, double fallback) throws CheckpointException {
        return has(key) ? number(key) : fallback;
    }

    private double number(String key) throws CheckpointException {
        JsonNode n = values.get(key);
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isTextual()) {
            try {
                return Double.parseDouble(n.asText().trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw bad(key, "a number");
            }
        }
        throw bad(key, "a number");
    }

    /**
     * A boolean setting ({@code true}, or the strings "true"/"True"...).
     *
     * @param key the setting
     * @param fallback the value when it is absent
     * @return its value
     * @throws CheckpointException if it is present and not a boolean
     */
    public boolean boolOr(String key, boolean fallback) throws CheckpointException {
        JsonNode n = values.get(key);
        if (n == null) {
            return fallback;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isTextual()) {
            switch (n.asText().trim().toLowerCase(Locale.ROOT)) {
                case "true" -> {
                    return true;
                }
                case "false" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        throw bad(key, "true or false");
    }

    /**
     * A string setting (numbers and booleans are given as their text).
     *
     * @param key the setting
     * @param fallback the value when it is absent
     * @return its value
     * @throws CheckpointException if it is an array or an object
     */
    public String stringOr(String key, String fallback) throws CheckpointException {
        JsonNode n = values.get(key);
        if (n == null) {
            return fallback;
        }
        if (n.isValueNode()) {
            return n.asText();
        }
        throw bad(key, "a string");
    }

    /**
     * Refuses a boolean setting that asks for what the model does not implement.
     *
     * @param key the setting
     * @param supported the only value the model implements (absent counts as supported)
     * @param why what the other value would mean, e.g. "cross-attention layers"
     * @throws CheckpointException if it is not a boolean, or is the unsupported value
     */
    public void refuseUnless(String key, boolean supported, String why) throws CheckpointException {
        if (has(key) && boolOr(key, supported) != supported) {
            throw unsupported(key, why + " is not implemented");
        }
    }

    /**
     * The error for a missing required setting.
     *
     * @param key the setting
     * @return the exception to throw
     */
    public CheckpointException missing(String key) {
        String dashed = key.replace('_', '-');
        return new CorruptCheckpointException(file, null, "setting '" + (dashesAreUnderscores ? dashed : key) + "' "
                + (dashesAreUnderscores && !dashed.equals(key) ? "(or '" + key + "') " : "") + "is missing");
    }

    /**
     * The error for a setting of the wrong type or value.
     *
     * @param key the setting
     * @param expected what it should be, e.g. "an integer"
     * @return the exception to throw
     */
    public CheckpointException bad(String key, String expected) {
        return new CorruptCheckpointException(file, null, "setting '" + spelling(key) + "' = " + values.get(key)
                + " is not " + expected);
    }

    /**
     * The error for a well-formed setting the model does not implement.
     *
     * @param key the setting
     * @param why what is not supported
     * @return the exception to throw
     */
    public CheckpointException unsupported(String key, String why) {
        return new UnsupportedCheckpointException(file, null, "setting '" + spelling(key) + "' = " + values.get(key)
                + " is not supported: " + why);
    }

    /** The key as the file spells it, for messages. */
    private String spelling(String key) {
        return spellings.getOrDefault(key, key);
    }
}
