package io.github.vectorlm.neox;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.vectorlm.checkpoint.CheckpointException;
import io.github.vectorlm.checkpoint.CorruptCheckpointException;
import io.github.vectorlm.checkpoint.UnsupportedCheckpointException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The top-level settings of a config file, read with types checked at the boundary: every error
 * names the file and the setting as the file spells it. Values written as strings ({@code "1e-5"},
 * which a YAML 1.1 parser does not take for a number, or {@code "True"}) are accepted where a number
 * or a boolean is expected.
 */
final class ConfigSettings {
    private final Path file;
    /** Normalised key → value (JSON null entries are dropped: they mean "not set"). */
    private final Map<String, JsonNode> values;
    /** Normalised key → the key as the file spells it. */
    private final Map<String, String> spellings;
    private final boolean dashesAreUnderscores;

    private ConfigSettings(Path file, Map<String, JsonNode> values, Map<String, String> spellings,
            boolean dashesAreUnderscores) {
        this.file = file;
        this.values = values;
        this.spellings = spellings;
        this.dashesAreUnderscores = dashesAreUnderscores;
    }

    /** The members of a JSON object, keys as written. */
    static ConfigSettings of(Path file, JsonNode root) throws CheckpointException {
        return read(file, root, false);
    }

    /**
     * The members of a GPT-NeoX YAML mapping, whose keys may be spelled with dashes or underscores
     * ({@code num-layers}, {@code num_layers}); both spellings of one setting must agree.
     */
    static ConfigSettings ofNeoxYaml(Path file, JsonNode root) throws CheckpointException {
        return read(file, root, true);
    }

    private static ConfigSettings read(Path file, JsonNode root, boolean dashesAreUnderscores)
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
        return new ConfigSettings(file, values, spellings, dashesAreUnderscores);
    }

    /** The file the settings come from. */
    Path file() {
        return file;
    }

    /** Whether the setting is present (and not null). */
    boolean has(String key) {
        return values.containsKey(key);
    }

    /** The raw value, or null when absent. */
    JsonNode node(String key) {
        return values.get(key);
    }

    /** The key as the file spells it, for messages. */
    String spelling(String key) {
        return spellings.getOrDefault(key, key);
    }

    int requiredInt(String key) throws CheckpointException {
        if (!has(key)) {
            throw missing(key);
        }
        return intValue(key);
    }

    int intOr(String key, int fallback) throws CheckpointException {
        return has(key) ? intValue(key) : fallback;
    }

    private int intValue(String key) throws CheckpointException {
        double v = number(key);
        if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw bad(key, "an integer");
        }
        return (int) v;
    }

    double doubleOr(String key, double fallback) throws CheckpointException {
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

    boolean boolOr(String key, boolean fallback) throws CheckpointException {
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

    /** A string setting (numbers and booleans are given as their text), or {@code fallback}. */
    String stringOr(String key, String fallback) throws CheckpointException {
        JsonNode n = values.get(key);
        if (n == null) {
            return fallback;
        }
        if (n.isValueNode()) {
            return n.asText();
        }
        throw bad(key, "a string");
    }

    CheckpointException missing(String key) {
        String dashed = key.replace('_', '-');
        return new CorruptCheckpointException(file, null, "setting '" + (dashesAreUnderscores ? dashed : key) + "' "
                + (dashesAreUnderscores && !dashed.equals(key) ? "(or '" + key + "') " : "") + "is missing");
    }

    CheckpointException bad(String key, String expected) {
        return new CorruptCheckpointException(file, null, "setting '" + spelling(key) + "' = " + values.get(key)
                + " is not " + expected);
    }

    /** A well-formed setting this library does not implement. */
    CheckpointException unsupported(String key, String why) {
        return new UnsupportedCheckpointException(file, null, "setting '" + spelling(key) + "' = " + values.get(key)
                + " is not supported: " + why);
    }
}
